"""Display arrays as images: inline HTML in a notebook, files on disk elsewhere.

As in Lucid, `image`, `images`, `textured_mesh` and `graph` hand their HTML to
``IPython.display.display(IPython.display.HTML(...))`` whenever IPython is importable. In
Jupyter or Colab it renders inline. Anywhere else (a script, a terminal) the image is also
saved to a file in ``$LUCID_SHOW_DIR`` (default ``<tempdir>/lucid_show``) and what gets
displayed reads as one line per image with the file's path and a summary of shape and value
range, so ``show(img)`` is useful everywhere. Without IPython that line is printed. IPython is
imported only when something is shown.
"""

import base64
import logging
import os
import tempfile
from string import Template

import numpy as np

from lucid.misc.environment import is_notebook_environment
from lucid.misc.io.collapse_channels import collapse_channels
from lucid.misc.io.serialize_array import array_to_jsbuffer
from lucid.misc.io.serialize_array import serialize_array

log = logging.getLogger(__name__)

_SUPPORTED_URL_MODES = ("data",)


def _display_html(html_str: str, text_f=None) -> None:
    """Displays HTML through ``IPython.display`` when IPython is importable, else prints text.

    Args:
      html_str: the HTML.
      text_f: outside a notebook, a callable saving what is shown to a file and returning the
        text line(s) to show instead; default: write ``html_str`` to an ``.html`` file.
    """
    in_notebook = is_notebook_environment()
    text = None
    if not in_notebook:
        text = text_f() if text_f is not None else _html_file_line(html_str)
    try:
        from IPython import display as ipython_display
    except ImportError:
        print(text)
        return
    html = ipython_display.HTML(html_str)
    ipython_display.display(html if in_notebook else _HTMLWithText(html, text))


class _HTMLWithText:
    """What ``display`` gets outside a notebook: HTML for frontends that render it, and a
    text line (the saved file's path) where only text shows, as in a terminal."""

    def __init__(self, html, text: str):
        self.html = html
        self.text = text

    def _repr_html_(self):
        return self.html._repr_html_()

    def __repr__(self):
        return self.text


def _html_file_line(html_str: str) -> str:
    path = _write_show_file(html_str.encode("utf-8"), "html", "html")
    return f"HTML output (not in a notebook) -> {path}"


def _image_url(array, fmt="png", mode="data", quality=90, domain=None) -> str:
    """Returns a ``data:`` URL holding the array encoded as an image.

    Args:
      array: `[h, w]` or `[h, w, c]` image array; see ``serialize_array``.
      fmt: image format, e.g. ``"png"`` or ``"jpeg"``.
      mode: only ``"data"`` is supported.
      quality: 0-100 for lossy formats.
      domain: range of the input values, or None for the array's own range.
    """
    if mode not in _SUPPORTED_URL_MODES:
        raise ValueError(f"mode={mode!r} is not supported; use one of {_SUPPORTED_URL_MODES}.")
    image_data = serialize_array(array, fmt=fmt, quality=quality, domain=domain)
    return f"data:image/{fmt.upper()};base64,{base64.b64encode(image_data).decode('ascii')}"


def _image_html(array, w=None, domain=None, fmt="png") -> str:
    """An ``<img>`` tag showing the array, scaled to width `w` pixels with crisp pixels."""
    url = _image_url(array, domain=domain, fmt=fmt)
    style = "image-rendering: pixelated; image-rendering: crisp-edges;"
    if w is not None:
        style += f"width: {w}px;"
    return f'<img src="{url}" style="{style}">'


def image(array, domain=None, w=None, format="png", **kwargs) -> None:
    """Shows one image.

    Args:
      array: `[h, w]` or `[h, w, 1|3|4]` array (leading size-1 axes are dropped).
      domain: `(low, high)` range of the values, or None to use the array's min and max.
      w: display width in pixels (nearest-neighbour scaling); notebook only.
      format: ``"png"`` or ``"jpeg"``.
      **kwargs: accepted for compatibility with `show`; ignored.
    """

    def save_to_file():
        return f"image: {_summary(array)} -> {_save_image_file(array, domain, format)}"

    _display_html(_image_html(array, w=w, domain=domain, fmt=format), save_to_file)


def images(arrays, labels=None, domain=None, w=None) -> None:
    """Shows several images side by side, each labelled (by default with its index).

    Args:
      arrays: a sequence of image arrays (or a `[n, h, w, c]` array).
      labels: one label per image, or None for the indices.
      domain: see `image`.
      w: see `image`.
    """
    labels = list(range(len(arrays))) if labels is None else list(labels)
    if len(labels) < len(arrays):
        raise ValueError(f"Got {len(labels)} labels for {len(arrays)} images; pass one per image.")
    html = '<div style="display: flex; flex-direction: row;">'
    for label, array in zip(labels, arrays):
        html += (
            '<div style="margin-right:10px; margin-top: 4px;">'
            f"{label} <br/>{_image_html(array, w=w, domain=domain)}</div>"
        )

    def save_to_files():
        return "\n".join(
            f"image {label}: {_summary(array)} -> {_save_image_file(array, domain, 'png')}"
            for label, array in zip(labels, arrays)
        )

    _display_html(html + "</div>", save_to_files)


def show(thing, domain=(0, 1), **kwargs) -> None:
    """Shows an array, guessing what it represents from its rank.

    Rank 4 arrays (and lists or tuples) are shown as a row of images, rank 2 and 3 as one
    image; anything else is printed with `repr`. The last axis of rank 3 and 4 arrays holds
    channels: 1 is greyscale, 3 RGB, 4 RGBA; any other count (2, or more than 4) is collapsed
    to RGB by ``collapse_channels`` (one hue per channel, negative values in their own hues).

    Args:
      thing: a NumPy array, or a list/tuple of image arrays.
      domain: `(low, high)` range of the values (default `(0, 1)`; values outside are
        clipped), or None to stretch each image's own min..max.
      **kwargs: ``w`` (display width), ``labels`` (for several images).
    """
    if isinstance(thing, np.ndarray):
        if thing.ndim in (3, 4):
            thing = _collapse_if_needed(thing)
        if thing.ndim == 4:
            images(thing, domain=domain, **kwargs)
        elif thing.ndim in (2, 3):
            image(thing, domain=domain, **kwargs)
        else:
            log.warning(
                "show() displays arrays of rank 2 to 4; printing repr() of rank %d.", thing.ndim
            )
            print(repr(thing))
    elif isinstance(thing, (list, tuple)) and len(thing) > 0:
        thing = [_collapse_if_needed(t) if np.ndim(t) == 3 else t for t in thing]
        images(thing, domain=domain, **kwargs)
    else:
        log.warning("show() displays NumPy arrays; printing repr() of a %s.", type(thing).__name__)
        print(repr(thing))


# Public names for the two helpers other modules build on (Lucid's notebooks and rl_util use
# the underscored ones, which stay).
display_html = _display_html
image_url = _image_url


def textured_mesh(mesh, texture, background="0xffffff") -> None:
    """Shows a textured 3-D mesh in an interactive three.js viewer (drag to rotate).

    Args:
      mesh: dict with ``"position"`` (`[n, 3]` float32), ``"uv"`` (`[n, 2]` float32) and
        ``"face"`` (`[m, 3]` int) arrays, as from ``lucid.misc.gl.meshutil.load_obj``.
      texture: `[h, w, 3]` image array in `[0, 1]`.
      background: background colour as a JS hex literal.
    """
    html = _MESH_TEMPLATE.substitute(
        verts=array_to_jsbuffer(np.asarray(mesh["position"], np.float32).ravel()),
        uvs=array_to_jsbuffer(np.asarray(mesh["uv"], np.float32).ravel()),
        faces=array_to_jsbuffer(np.asarray(mesh["face"], np.uint32).ravel()),
        tex_data_url=_image_url(texture, fmt="jpeg", quality=90),
        background=background,
    )
    _display_html(html)


def _strip_consts(graph_def, max_const_size=32):
    """Returns a copy of `graph_def` with constants over `max_const_size` bytes elided."""
    stripped = type(graph_def)()
    for node in graph_def.node:
        copy = stripped.node.add()
        copy.MergeFrom(node)
        if copy.op == "Const":
            tensor = copy.attr["value"].tensor
            size = len(tensor.tensor_content)
            if size > max_const_size:
                tensor.tensor_content = f"<stripped {size} bytes>".encode()
    return stripped


def graph(graph_def, max_const_size=32) -> None:
    """Shows a TensorFlow graph with TensorBoard's graph widget (in an iframe).

    Args:
      graph_def: a ``tf.GraphDef`` or a ``tf.Graph``.
      max_const_size: constants larger than this many bytes are elided.

    The widget is loaded from tensorboard.appspot.com with HTML imports, which current
    browsers no longer support; outside a notebook the page is written to a file.
    """
    if hasattr(graph_def, "as_graph_def"):
        graph_def = graph_def.as_graph_def()
    stripped = _strip_consts(graph_def, max_const_size=max_const_size)
    graph_id = f"graph{np.random.randint(1 << 30)}"
    code = f"""
      <script>
        function load() {{ document.getElementById("{graph_id}").pbtxt = {str(stripped)!r}; }}
      </script>
      <link rel="import" href="https://tensorboard.appspot.com/tf-graph-basic.build.html"
            onload=load()>
      <div style="height:600px"><tf-graph-basic id="{graph_id}"></tf-graph-basic></div>
    """
    code = code.replace('"', "&quot;")
    _display_html(
        f'<iframe seamless style="width:100%; height:620px; border: none;" srcdoc="{code}"></iframe>'
    )


# Outside a notebook


def _show_dir() -> str:
    directory = os.environ.get("LUCID_SHOW_DIR") or os.path.join(
        tempfile.gettempdir(), "lucid_show"
    )
    os.makedirs(directory, exist_ok=True)
    return directory


def _write_show_file(data: bytes, prefix: str, ext: str) -> str:
    fd, path = tempfile.mkstemp(prefix=prefix + "-", suffix="." + ext, dir=_show_dir())
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path


def _save_image_file(array, domain, fmt) -> str:
    fmt = "jpeg" if fmt.lower() == "jpg" else fmt.lower()
    return _write_show_file(serialize_array(array, domain=domain, fmt=fmt), "image", fmt)


def _summary(array) -> str:
    array = np.asarray(array)
    return (
        f"{array.dtype} array of shape {array.shape}, "
        f"values in [{np.min(array):.4g}, {np.max(array):.4g}]"
    )


def _collapse_if_needed(array):
    channels = np.shape(array)[-1]
    if channels in (1, 3, 4):
        return array
    log.debug("Collapsing %d channels into RGB.", channels)
    return collapse_channels(array)


_MESH_TEMPLATE = Template("""
<label><input id="unfoldBox" type="checkbox"> Unfold to texture space</label>
<div id="meshView"></div>
<script src="https://cdn.jsdelivr.net/npm/three@0.89.0/build/three.min.js"></script>
<script src="https://cdn.jsdelivr.net/npm/three@0.89.0/examples/js/controls/OrbitControls.js">
</script>
<script>
"use strict";
(function() {
  const width = 800, height = 600;
  const scene = new THREE.Scene();
  scene.background = new THREE.Color($background);
  const camera = new THREE.PerspectiveCamera(42, width / height, 0.1, 100);
  camera.position.z = 3.3;
  const renderer = new THREE.WebGLRenderer({antialias: true});
  renderer.setSize(width, height);
  document.getElementById("meshView").appendChild(renderer.domElement);
  const controls = new THREE.OrbitControls(camera, renderer.domElement);

  const geometry = new THREE.BufferGeometry();
  geometry.addAttribute("position", new THREE.BufferAttribute($verts, 3));
  geometry.addAttribute("uv", new THREE.BufferAttribute($uvs, 2));
  geometry.setIndex(new THREE.BufferAttribute($faces, 1));
  const material = new THREE.ShaderMaterial({
    uniforms: {
      viewAspect: {value: width / height},
      unfold: {value: 0.0},
      tex: {value: new THREE.TextureLoader().load("$tex_data_url", render)},
    },
    side: THREE.DoubleSide,
    vertexShader: `
      uniform float viewAspect; uniform float unfold; varying vec2 texCoord;
      void main() {
        vec4 onMesh = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
        vec4 onPlane = vec4((uv.x * 2.0 - 1.0) / viewAspect, uv.y * 2.0 - 1.0, 0.0, 1.0);
        gl_Position = mix(onMesh, onPlane, unfold);
        texCoord = uv;
      }`,
    fragmentShader: `
      uniform sampler2D tex; varying vec2 texCoord;
      void main() { gl_FragColor = texture2D(tex, texCoord); }`,
  });
  scene.add(new THREE.Mesh(geometry, material));

  function render() { renderer.render(scene, camera); }
  controls.addEventListener("change", render);
  document.getElementById("unfoldBox").addEventListener("change", function(e) {
    material.uniforms.unfold.value = e.target.checked ? 1.0 : 0.0;
    render();
  });
  render();
})();
</script>
""")
