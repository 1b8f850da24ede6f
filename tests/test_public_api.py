"""The public surface: every name Lucid 0.3.10 documents resolves, with Lucid's signatures.

Names come from shared/reference/lucid_api.md §1 and §2; a notebook written for Lucid must run
after changing only its TensorFlow import.
"""

import importlib
import inspect
import subprocess
import sys

import pytest

PUBLIC_NAMES = {
    "lucid.optvis.objectives": """Objective wrap_objective handle_batch as_objective neuron channel
        direction direction_cossim direction_neuron tensor_direction deepdream total_variation L1 L2
        blur_input_each_step blur_alpha_each_step channel_interpolate penalize_boundary_complexity
        alignment diversity input_diff class_logit""",
    "lucid.optvis.objectives_util": "_dot _dot_cossim _extract_act_pos _make_arg_str _T_force_NHWC _T_handle_batch",
    "lucid.optvis.param": """image grayscale_image_rgb lowres_tensor to_valid_rgb naive fft_image
        laplacian_pyramid image_sample cppn spatial color random lowres unit_balls resize_bilinear_nd""",
    "lucid.optvis.param.images": "image grayscale_image_rgb",
    "lucid.optvis.param.spatial": """pixel_image rfft2d_freqs fft_image laplacian_pyramid_image
        bilinearly_sampled_image naive laplacian_pyramid sample_bilinear""",
    "lucid.optvis.param.color": "to_valid_rgb color_correlation_svd_sqrt max_norm_svd_sqrt color_mean",
    "lucid.optvis.param.lowres": "lowres_tensor",
    "lucid.optvis.param.resize_bilinear_nd": "product collapse_shape resize_bilinear_nd",
    "lucid.optvis.param.random": "image_sample rand_fft_image",
    "lucid.optvis.param.cppn": "cppn _composite_activation _relu_normalized_activation",
    "lucid.optvis.param.unit_balls": """unit_ball_L2 unit_ball_L_inf constrain_L2 constrain_L_inf
        constrain_L_inf_precondition dot""",
    "lucid.optvis.transform": """jitter pad random_scale random_rotate normalize_gradient compose
        collapse_alpha_random crop_or_pad_to standard_transforms _rand_select _angle2rads""",
    "lucid.optvis.render": """render_vis make_vis_T import_model make_optimizer make_transform_f
        make_t_image make_print_objective_func""",
    "lucid.optvis.style": "StyleLoss gram_style mean_l1_loss mean_l2_loss",
    "lucid.optvis.overrides": """gradient_override_map use_gradient identity_grad redirected_relu_grad
        redirected_relu6_grad avg_smoothed_maxpool_grad pooling_overrides_map relu_overrides_map
        default_overrides_map relu_overrides pooling_overrides default_overrides linearization_overrides""",
    "lucid.optvis.overrides.gradient_override": "register_to_random_name gradient_override_map use_gradient",
    "lucid.optvis.overrides.smoothed_maxpool_grad": """make_smoothed_maxpool_grad
        l2_smoothed_maxpool_grad avg_smoothed_maxpool_grad""",
    "lucid.misc.gradient_override": "register_to_random_name gradient_override_map use_gradient",
    "lucid.misc.redirected_relu_grad": "redirected_relu_grad redirected_relu6_grad",
    "lucid.misc.io": "show load save CaptureSaveContext batch_save io_scope scope_url",
    "lucid.misc.io.loading": "load load_using_loader is_handle",
    "lucid.misc.io.reading": "read read_handle local_cache_path",
    "lucid.misc.io.writing": "write write_handle",
    "lucid.misc.io.saving": """save CaptureSaveContext ClarityJSONEncoder batch_save save_img save_npy
        save_npz save_json save_txt save_pb save_str save_pickle compress_xz nullcontext""",
    "lucid.misc.io.showing": "show image images textured_mesh graph _image_url _display_html _image_html",
    "lucid.misc.io.scoping": "current_io_scopes set_io_scopes io_scope scope_url",
    "lucid.misc.io.serialize_array": "serialize_array array_to_jsbuffer JS_ARRAY_TYPES",
    "lucid.misc.io.collapse_channels": "hue_to_rgb sparse_channels_to_rgb collapse_channels",
    "lucid.misc.io.sanitizing": "sanitize",
    "lucid.misc.channel_reducer": "ChannelReducer",
    "lucid.misc.tfutil": "create_session",
    "lucid.misc.environment": "is_notebook_environment",
    "lucid.misc.convert_matplotlib": "matplotlib_to_numpy",
    "lucid.misc.iter_nd_utils": "recursive_enumerate_nd dict_to_ndarray batch_iter",
    "lucid.misc.ndimage_utils": "resize composite soft_alpha_blend",
    "lucid.misc.stimuli": "sample_binary_image rmin rounded_corner",
    "lucid.misc.graph_analysis.property_inference": "as_tensor infer_data_format",
    "lucid.recipes.image_interpolation_params": "multi_interpolation_basis",
    # shared/reference/lucid_api_more.md: the modules beyond the core.
    "lucid.scratch.web.svelte": "SvelteComponent build_svelte js_id html_define_svelte",
    "lucid.scratch.web.observable": "renderObservable",
    "lucid.recipes.caricature": "dot_compare caricature feature_inversion make_caricature",
    "lucid.recipes.feature_visualization": "neuron channel",
    "lucid.recipes.image_activations": "image_activations manifest_image_activations",
    "lucid.recipes.activation_atlas": "activation_atlas aligned_activation_atlas",
    "lucid.recipes.activation_atlas.main": """activation_atlas aligned_activation_atlas
        ActivationTranslation bin_laid_out_activations make_canvas""",
    "lucid.recipes.activation_atlas.layout": "normalize_layout aligned_umap",
    "lucid.recipes.activation_atlas.render": "direction_neuron_S direction_neuron_cossim_S render_icons",
    "lucid.misc.gl.glcontext": "create_opengl_context",
    "lucid.misc.gl.glrenderer": "GLObject FBO Texture Shader MeshRenderer",
    "lucid.misc.gl.meshutil": """frustum perspective anorm normalize lookat sample_view homotrans
        load_obj normalize_mesh""",
    "lucid.misc.graph_analysis.overlay_graph": "OverlayNode OverlayStructure OverlayGraph",
    "lucid.misc.graph_analysis.filter_overlay": """standard_include_ops ops_whitelist cut_shapes
        is_dynamic collapse_sequence""",
    "lucid.misc.graph_analysis.parse_overlay": """collapse_sequences collapse_branches
        parse_structure flatten_sequences parse_overlay toplevel_group_data""",
    "lucid.scratch.parameter_editor": "ParameterEditor",
    "lucid.scratch.pretty_graphs.graph": """Node Graph filter_graph standard_include_ops
        filter_graph_ops filter_graph_cut_shapes filter_graph_dynamic
        filter_graph_collapse_sequence clip_node_names find_groups""",
    "lucid.scratch.pretty_graphs.format_graph": """Fragment FragmentContainer one_fragement
        alignment_func LayoutComponent LayoutNode LayoutBranch LayoutSeq parse_graph
        render_with_groups complete_render_model_graph""",
    "lucid.scratch.pretty_graphs.visualizations": """display_model display_tooltips_name
        display_tooltips get_box p model_align_display vpad""",
    "lucid.scratch.rl_util": """clear_cnn get_acts get_grad_or_attr get_attr get_grad
        get_multi_path_attr maxpool_override default_score_fn get_paths argmax_nd LayerNMF
        rescale_opacity zoom_to get_var get_shape concatenate_horizontally hue_to_rgb
        channels_to_rgb conv2d norm_filter brightness_to_opacity load_joblib save_joblib
        gradient_override_map lucid_svelte all_ reload""",
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC_NAMES))
def test_documented_names_resolve(module_name):
    module = importlib.import_module(module_name)
    missing = [name for name in PUBLIC_NAMES[module_name].split() if not hasattr(module, name)]
    assert not missing, f"{module_name} lacks {missing}"


# Beyond Lucid 0.3.10: the names this port adds, documented in README.md.
EXTENSION_NAMES = {
    "lucid.optvis.batch": "render_units unit_seed estimate_batch_size",
    "lucid.modelzoo.vision_models": "ShapesNet",
    "lucid.modelzoo.shapes_dataset": "CLASSES IMAGE_SIZE generate",
    "lucid.modelzoo.vision_base": "Model",
    "lucid.microscope.build": "build Analyses BuildReport VIEWS",
    "lucid.microscope.jobs": "RenderSettings Job run_job KINDS",
    "lucid.microscope.quality": """write_layer_scores score_units LayerProbe activation_ratio stability
        diversity""",
    "lucid.microscope.caricatures": "write_layer_caricature render_caricature",
    "lucid.microscope.engines": "LocalEngine RayEngine get_engine",
    "lucid.cli": "main",
    "lucid.scratch.web.svelte": """define_component defined_components find_svelte_compiler
        load_ipython_extension SvelteCompileError SvelteCompilerNotFoundError""",
    "lucid.scratch.web.observable": "observable_html",
    "lucid.scratch.web.embed": "script_json script_js to_json_value js_identifier unique_id display_html",
    "lucid.recipes.activation_atlas.main": "EmptyAtlasError",
    "lucid.misc.gl.glcontext": "import_opengl has_current_context OpenGLUnavailableError",
    "lucid.misc.graph_analysis.overlay_graph": "pass_through_edges reachable dot_source",
    "lucid.misc.io.showing": "display_html image_url",
    "lucid.misc.io.reading": """CacheDirectoryError CacheRecord cache_dir cache_record
        configured_source fetch_to_cache purge_cached resolve_url is_remote""",
    "lucid.misc.io.writing": "default_file_mode local_write_handle",
    "lucid.optvis.objectives": "parse_layer_channel",
    "lucid.modelzoo.image_input": "check_value_range check_images as_unit_images",
    "lucid.modelzoo.layer": "Layer LayerNotFoundError layers_from_list_of_dicts",
    "lucid.modelzoo.model_files": """save_frozen_graph describe_from_metadata embedded_metadata
        read_manifest describe_from_manifest""",
    "lucid.optvis.render_util": """resolve_model default_image_shape run_step session_config
        check_thresholds""",
    "lucid.optvis.param.lowres": "check_image_memory memory_limit_bytes",
    "lucid.optvis.batch_memory": "inspect_layer batch_size_for default_budget_mb check_budget",
    "lucid.recipes.activation_atlas.render": "icon_transforms",
    "lucid.optvis.step": "build_step Step check_options session_config gradient_overrides import_model "
    "rewritten_graph_def",
    "lucid.optvis.rewrites": "NAMES DEFAULT_NAMES resolve enable_in_graph enabled",
    "lucid.optvis.precision": """PRECISIONS check_precision session_config import_context
        cpu_supports_bfloat16 cpu_flags gpu_supports_mixed_precision""",
    "lucid.misc.stimuli": """grating hue_color disc line_image rounded_corner_function
        rounded_corner_line""",
    "lucid.microscope.upstream": "write_layer_upstream",
    "lucid.microscope.tuning": "write_layer_tuning layer_tuning_curves chart_svg",
    "lucid.microscope.charts": "Panel line_chart_svg nice_ticks",
    "lucid.microscope.architecture": "write_architecture model_architecture architecture_svg",
    "lucid.microscope.image_tours": "write_image_tours",
    "lucid.microscope.dataset_examples": "channel_maxima model_input",
}


@pytest.mark.parametrize("module_name", sorted(EXTENSION_NAMES))
def test_extension_names_resolve(module_name):
    module = importlib.import_module(module_name)
    missing = [name for name in EXTENSION_NAMES[module_name].split() if not hasattr(module, name)]
    assert not missing, f"{module_name} lacks {missing}"


def test_model_has_the_bring_your_own_model_methods():
    from lucid.modelzoo.vision_base import Model

    for name in ("from_keras", "from_saved_model", "export", "save", "load", "suggest_save_args"):
        assert callable(getattr(Model, name)), name


@pytest.mark.parametrize(
    "module_name",
    [
        "lucid.optvis.param",
        "lucid.optvis.overrides",
        "lucid.misc.io",
        "lucid.recipes.activation_atlas",
        "lucid.optvis.rewrites",
    ],
)
def test_reexporting_packages_have_literal_all_without_private_names(module_name):
    module = importlib.import_module(module_name)
    assert all(not name.startswith("_") for name in module.__all__)
    assert all(hasattr(module, name) for name in module.__all__)


SIGNATURES = {
    "lucid.optvis.render.render_vis": """(model, objective_f, param_f=None, optimizer=None,
        transforms=None, thresholds=(512,), print_objectives=None, verbose=True,
        relu_gradient_override=True, use_fixed_seed=False""",
    "lucid.optvis.render.make_vis_T": """(model, objective_f, param_f=None, optimizer=None,
        transforms=None, relu_gradient_override=False""",
    # Lucid's parameters, then graph_def= (a rewritten GraphDef to import instead).
    "lucid.optvis.render.import_model": "(model, t_image, t_image_raw=None, scope='import', input_map=None",
    "lucid.optvis.param.image": """(w, h=None, batch=None, sd=None, decorrelate=True, fft=True,
        alpha=False, channels=None)""",
    "lucid.optvis.param.spatial.fft_image": "(shape, sd=None, decay_power=1)",
    "lucid.optvis.param.spatial.pixel_image": "(shape, sd=None, init_val=None)",
    "lucid.optvis.param.lowres_tensor": "(shape, underlying_shape, offset=None, sd=None)",
    "lucid.optvis.param.to_valid_rgb": "(t, decorrelate=False, sigmoid=True)",
    "lucid.optvis.param.cppn": """(width, batch=1, num_output_channels=3, num_hidden_channels=24,
        num_layers=8, activation_func=_composite_activation, normalize=False)""",
    "lucid.optvis.objectives.neuron": "(layer_name, channel_n, x=None, y=None, batch=None)",
    "lucid.optvis.objectives.channel": "(layer, n_channel, batch=None)",
    "lucid.optvis.objectives.direction": "(layer, vec, cossim_pow=0, batch=None)",
    "lucid.optvis.objectives.L2": "(layer='input', constant=0, epsilon=1e-06)",
    "lucid.optvis.objectives.diversity": "(layer)",
    "lucid.optvis.objectives.class_logit": "(layer, label, batch=None)",
    "lucid.optvis.transform.pad": "(w, mode='REFLECT', constant_value=0.5)",
    "lucid.optvis.transform.random_rotate": "(angles, units='degrees', seed=None",
    "lucid.optvis.style.StyleLoss": "(style_layers, ema_decay=None, style_func=gram_style, loss_func=mean_l1_loss)",
    "lucid.misc.io.loading.load": "(url_or_handle, allow_unsafe_formats=False, cache=None, **kwargs)",
    "lucid.misc.io.reading.read": "(url, encoding=None, cache=None, mode='rb')",
    "lucid.misc.io.showing.show": "(thing, domain=(0, 1), **kwargs)",
    "lucid.misc.channel_reducer.ChannelReducer": "(n_components=3, reduction_alg='NMF', **kwargs)",
    "lucid.misc.tfutil.create_session": "(target='', timeout_sec=10)",
}


def _resolve(dotted):
    module_name, _, attribute = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except ModuleNotFoundError:
        module_name, _, klass = module_name.rpartition(".")
        return getattr(getattr(importlib.import_module(module_name), klass), attribute)


def _normalise(signature_text):
    return " ".join(signature_text.split()).replace("( ", "(").replace(" )", ")")


@pytest.mark.parametrize("dotted", sorted(SIGNATURES))
def test_signatures_match_lucid(dotted):
    target = _resolve(dotted)
    if inspect.isclass(target):
        target = target.__init__
    parameters = []
    for parameter in inspect.signature(target).parameters.values():
        if parameter.name == "self":
            continue
        if parameter.kind is parameter.VAR_KEYWORD:
            parameters.append(f"**{parameter.name}")
        elif parameter.default is parameter.empty:
            parameters.append(parameter.name)
        else:
            default = parameter.default
            shown = default.__name__ if callable(default) else repr(default)
            parameters.append(f"{parameter.name}={shown}")
    actual = "(" + ", ".join(parameters) + ")"
    expected = _normalise(SIGNATURES[dotted])
    if not expected.endswith(")"):
        # Lucid's parameters must come first, unchanged; keyword extras may follow.
        assert actual.startswith(expected), actual
    else:
        assert actual == expected


def test_import_has_no_side_effects():
    code = """
import logging, warnings, sys
import tensorflow as tf  # TensorFlow's own import may add filters; only lucid's count here
filters = list(warnings.filters)
handlers = list(logging.getLogger().handlers)
level = logging.getLogger().level
import lucid.optvis.render, lucid.optvis.objectives, lucid.optvis.param, lucid.optvis.transform
import lucid.optvis.style, lucid.misc.io, lucid.modelzoo.vision_models
assert tf.executing_eagerly(), "importing lucid switched TensorFlow out of eager mode"
assert warnings.filters == filters, "importing lucid changed warning filters"
assert logging.getLogger().handlers == handlers and logging.getLogger().level == level
assert not logging.getLogger("lucid").handlers
print("clean")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("clean")


def test_lucid_package_is_light_to_import():
    import lucid

    assert lucid.__version__
    assert isinstance(lucid.seed, int)
