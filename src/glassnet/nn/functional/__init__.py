"""glassnet.nn.functional — stateless ops on tensors (as torch.nn.functional): activations, losses,
the dense layer's affine map, dropout. Each differentiable op is one Function."""
from .activation import (
    elu, gelu, leaky_relu, log_softmax, maxout, noisy_relu, relu, sigmoid, softmax, softplus, step, tanh,
)
from .linear import dropout, linear
from .loss import (
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, entropy, huber_loss,
    kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss,
)
from .conv import conv1d, conv2d, conv_transpose2d
from .normalization import batch_norm, layer_norm
from .pooling import adaptive_avg_pool2d, avg_pool1d, avg_pool2d, interpolate, max_pool1d, max_pool2d
from .attention import scaled_dot_product_attention
from .embedding import cosine_similarity, embedding
from .graph import global_add_pool, global_max_pool, global_mean_pool, index_select, scatter
