"""The help page (``help.html``): what every view of the atlas shows, and the three scores.

The score definitions follow ``lucid.microscope.quality``; each has an anchor
(``#score-activation_ratio``, ``#score-stability``, ``#score-diversity``) that the badges
on unit pages link to.
"""

from lucid.microscope.pages_common import page

_VIEWS = [
    ("view-channel", "Channel", "The image that maximizes the mean activation of the unit's "
     "channel over all positions: a feature visualization, optimized from noise in a "
     "decorrelated, transformation-robust parameterization."),
    ("view-negative", "Negative", "The image that minimizes the same mean activation: the "
     "pattern the unit responds against. Shown beside the positive one."),
    ("view-alpha", "Transparent", "Rendered with an alpha channel (only when the atlas was "
     "built with <code>--alpha</code>): parts that do not matter to the unit fade out."),
    ("view-neuron", "Neuron (centre)", "Maximizes the channel at the centre position only, so "
     "the image shows one receptive field rather than a texture."),
    ("view-diverse", "Diverse", "Several images of the same channel optimized together with a "
     "penalty on their similarity, to show different things the unit responds to."),
    ("view-examples", "Dataset examples", "The dataset images with the highest activation "
     "(a spatial channel's maximum over positions); the region whose input gradient is "
     "significant is outlined and the rest dimmed."),
    ("view-tuning", "Tuning curves", "The unit's response to synthetic stimuli "
     "(<code>lucid.misc.stimuli</code>) as one parameter sweeps: orientation angle, spatial "
     "frequency, colour hue or curvature; each curve is the response against that parameter."),
    ("view-upstream", "Upstream weights", "The units of earlier layers with the largest weight "
     "norms into this unit, with the signed weight (positive excites, negative inhibits), "
     "followed through concatenations and pooling where the graph allows. Units of a first "
     "layer, or with no direct weights, say so."),
    ("view-deepdream", "DeepDream (layer page)", "Maximizes the mean squared activation of the "
     "whole layer: everything the layer detects at once."),
    ("view-caricature", "Caricatures (layer page)", "Dataset images beside their caricatures "
     "at the layer: an image optimized so that the layer's activations on it point the way "
     "they do on the dataset image. At a low layer that reconstructs the picture; higher up "
     "it exaggerates what the layer detects in it."),
    ("view-architecture", "Architecture (model page)", "The graph in data-flow order, each node "
     "with its output shape; branches and concatenations are drawn as edges; declared layers "
     "link to their pages."),
    ("view-images", "Image tours", "A few dataset images, each with the units of every "
     "rendered layer that it activates most: follow one image through the network."),
    ("view-search", "Search", "The box at the top of every page finds layers and units by "
     "layer name, unit index (<code>conv2 3</code> or <code>conv2:3</code>), label words "
     "(class names of the logits) and dataset-example captions. It runs in the page "
     "(<code>search-index.js</code>, from <code>api/search.json</code>); no server needed."),
    ("view-api", "JSON API", "<code>api/index.json</code> lists models, layers and rendered "
     "units; <code>api/&lt;model&gt;/&lt;layer&gt;/&lt;unit&gt;.json</code> holds everything a "
     "unit page shows: image paths (relative to the atlas), dataset examples, tuning curves, "
     "upstream weights, scores, parameters and timings in seconds."),
]  # fmt: skip

_NOTATION = (
    "For unit <var>u</var> of layer <var>L</var>: <var>a</var>(<var>x</var>) is the unit's "
    "channel objective on image <var>x</var>, the one its render maximized (the mean over "
    "positions of channel <var>u</var>; the value itself for a dense layer), computed on "
    "<var>x</var> as it is; <var>v</var>(<var>x</var>) is the layer's activation vector (every "
    "channel's mean over positions); <var>r</var> is the channel render, <var>D</var> the "
    "dataset images and <var>d</var><sub>1</sub> .. <var>d</var><sub><var>n</var></sub> the "
    "diverse set. A score of n/a (JSON null) means it could not be computed."
)
_SCORES = [
    ("score-activation_ratio", "Activation ratio",
     "activation_ratio = <var>a</var>(<var>r</var>) / max<sub><var>x</var> ∈ <var>D</var></sub>"
     " <var>a</var>(<var>x</var>)",
     "How strongly the render excites the unit compared with the best dataset image: 1 means "
     "as much; a well-optimized render scores about 1 or more, an image of noise near 0 (short renders score less: a median of about 0.3 for ShapesNet at 64 steps). "
     "n/a without dataset images, or when no dataset image excites the unit (the maximum is "
     "at most 0)."),
    ("score-stability", "Stability",
     "stability = clip( ((1/<var>K</var>) Σ<sub><var>k</var></sub> <var>a</var>(<var>t</var>"
     "<sub><var>k</var></sub>(<var>r</var>)) − <var>b</var>) / (<var>a</var>(<var>t</var>"
     "<sub>0</sub>(<var>r</var>)) − <var>b</var>), 0, 1 ), with <var>b</var> = <var>a</var>"
     "(<var>t</var><sub>0</sub>(<var>g</var>))",
     "The share of the render's activation above a blank canvas that survives <var>K</var> = 8 "
     "fresh random draws <var>t</var><sub><var>k</var></sub> of the transforms renders are "
     "optimized under (pad 12 with grey, jitter 8, scale 0.9–1.1, rotate ±10°, jitter 4), the "
     "same draws on every run. <var>t</var><sub>0</sub> is the centred draw (the render "
     "unmoved on the same grey-bordered canvas, so the border does not count as lost "
     "activation) and <var>g</var> a flat grey (0.5) image the size of the render, so "
     "<var>b</var> is what a blank canvas scores. Near 1 for a robust feature, near 0 for a "
     "brittle pixel pattern (an adversarial-looking render); 0 when <var>a</var>(<var>t</var>"
     "<sub>0</sub>(<var>r</var>)) ≤ <var>b</var>."),
    ("score-diversity", "Diversity",
     "diversity = 1 − 2 / (<var>n</var>(<var>n</var> − 1)) Σ<sub><var>i</var> &lt; "
     "<var>j</var></sub> cos(<var>v</var>(<var>d</var><sub><var>i</var></sub>), <var>v</var>"
     "(<var>d</var><sub><var>j</var></sub>))",
     "How different the diverse images look to the layer: 0 when they are the same, 1 when "
     "their activation vectors are orthogonal (at most 2; at most 1 for non-negative, "
     "post-ReLU activations). cos(<var>p</var>, <var>q</var>) = <var>p</var>·<var>q</var> / "
     "(|<var>p</var>| |<var>q</var>|), 1 when both vectors are 0 and 0 when only one is. n/a "
     "without a diverse set of at least two images."),
]  # fmt: skip


def help_page() -> str:
    """The HTML of ``help.html`` (at the atlas root)."""
    views = "".join(
        f'<dt id="{anchor}">{title}</dt><dd>{text}</dd>' for anchor, title, text in _VIEWS
    )
    scores = "".join(
        f'<section class="score" id="{anchor}"><h3>{title}</h3>'
        f'<p class="formula">{formula}</p><p>{text}</p></section>'
        for anchor, title, formula, text in _SCORES
    )
    body = (
        "<h1>Help</h1>"
        "<p>An atlas shows, for each rendered unit of each layer, what makes it respond. "
        "Every page is static; links are relative, so the atlas works from disk and from "
        "<code>lucid microscope serve</code>.</p>"
        f'<h2 id="views">Views</h2><dl class="views-help">{views}</dl>'
        '<h2 id="scores">Quality scores</h2><p>Each unit page shows three badges; they say how '
        "far to trust its feature visualization.</p>"
        f"<p>{_NOTATION}</p>{scores}"
    )
    return page("Lucid Microscope help", "", ['<a href="index.html">Models</a>', "Help"], body)
