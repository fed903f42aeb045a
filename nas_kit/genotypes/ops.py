"""The op vocabularies of the papers' search spaces: the names a genotype may use (their builders are in
``nas_kit.models.operations`` and ``nas_kit.models.recurrent``).
"""

# DARTS (Liu et al. 2019, section 3.1 / cnn/genotypes.py): 8 candidates incl. 'none' (zero).
PRIMITIVES = [
    'none',
    'max_pool_3x3',
    'avg_pool_3x3',
    'skip_connect',
    'sep_conv_3x3',
    'sep_conv_5x5',
    'dil_conv_3x3',
    'dil_conv_5x5',
]
DARTS_PRIMITIVES = PRIMITIVES

# ENAS micro space (Pham et al. 2018, section 2.4): identity, sep 3x3, sep 5x5, avg 3x3, max 3x3.
# The index order of melodyguan/enas src/cifar10/micro_child.py is sep3, sep5, avg, max, identity.
ENAS_PRIMITIVES = [
    'sep_conv_3x3',
    'sep_conv_5x5',
    'avg_pool_3x3',
    'max_pool_3x3',
    'skip_connect',
]

# PNAS (Liu et al. 2018, section 3.1): 8 operators. The paper's "3x3 dilated convolution" is
# built here with DARTS's dil_conv_3x3 (ReLU, dilated depthwise, pointwise, BN); PNASNet-5
# does not use it.
PNAS_PRIMITIVES = [
    'skip_connect',
    'avg_pool_3x3',
    'max_pool_3x3',
    'conv_7x1_1x7',
    'dil_conv_3x3',
    'sep_conv_3x3',
    'sep_conv_5x5',
    'sep_conv_7x7',
]

# The NASNet cell space with the 8 ops of AmoebaNet (Real et al. 2019, section 2): identity,
# 3x3/5x5/7x7 separable convs, 3x3 avg and max pool, 3x3 dilated sep conv, 1x7-then-7x1 conv.
# NASNet-A and AmoebaNet-A use only these (NASNet's own list, Zoph et al. 2018 section 3, has 13).
NASNET_PRIMITIVES = [
    'skip_connect',
    'sep_conv_3x3',
    'sep_conv_5x5',
    'sep_conv_7x7',
    'avg_pool_3x3',
    'max_pool_3x3',
    'dil_conv_3x3',
    'conv_7x1_1x7',
]

# Every CNN op name used anywhere in nas_kit: a builder must implement all of these.
CNN_OPS = (
    'none',
    'max_pool_3x3',
    'avg_pool_3x3',
    'skip_connect',
    'sep_conv_3x3',
    'sep_conv_5x5',
    'sep_conv_7x7',
    'dil_conv_3x3',
    'dil_conv_5x5',
    'conv_7x1_1x7',
)

# DARTS recurrent cell (rnn/genotypes.py): 'none' is a search-time candidate only.
RNN_PRIMITIVES = [
    'none',
    'tanh',
    'relu',
    'sigmoid',
    'identity',
]
RNN_OPS = ('none', 'tanh', 'relu', 'sigmoid', 'identity')
RNN_ACTIVATIONS = ('tanh', 'relu', 'sigmoid', 'identity')   # the ops of a derived recurrent cell
STEPS = 8    # DARTS recurrent cell: 8 intermediate nodes
CONCAT = 8

# ENAS macro space (Pham et al. 2018, section 2.3): a whole network, one op per layer. general_child.py numbers
# them conv3x3 0, sepconv3x3 1, conv5x5 2, sepconv5x5 3, avgpool3x3 4, maxpool3x3 5 (its branch_0 .. branch_5).
MACRO_OPS = ("conv3x3", "conv5x5", "sepconv3x3", "sepconv5x5", "maxpool3x3", "avgpool3x3")
