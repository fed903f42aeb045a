"""The published architectures as plain data, as in the DARTS repository (quark0/darts, cnn/genotypes.py and
rnn/genotypes.py): NASNet-A, AmoebaNet-A, DARTS V1 and V2, ENAS's cells and PNASNet-5, and the recurrent
cells of DARTS and ENAS. ``PUBLISHED`` names them all; ``PUBLISHED_NETWORKS`` names the one published whole
network, ENAS's macro network.
"""
from nas_kit.genotypes.forms import Genotype, MacroGenotype, RNNGenotype

# ---------------------------------------------------------------- CNN cells
# NASNet-A (Zoph et al. 2018, Fig. 4), as in quark0/darts cnn/genotypes.py.
NASNet = Genotype(
    normal=[
        ('sep_conv_5x5', 1),
        ('sep_conv_3x3', 0),
        ('sep_conv_5x5', 0),
        ('sep_conv_3x3', 0),
        ('avg_pool_3x3', 1),
        ('skip_connect', 0),
        ('avg_pool_3x3', 0),
        ('avg_pool_3x3', 0),
        ('sep_conv_3x3', 1),
        ('skip_connect', 1),
    ],
    normal_concat=[2, 3, 4, 5, 6],
    reduce=[
        ('sep_conv_5x5', 1),
        ('sep_conv_7x7', 0),
        ('max_pool_3x3', 1),
        ('sep_conv_7x7', 0),
        ('avg_pool_3x3', 1),
        ('sep_conv_5x5', 0),
        ('skip_connect', 3),
        ('avg_pool_3x3', 2),
        ('sep_conv_3x3', 2),
        ('max_pool_3x3', 1),
    ],
    reduce_concat=[4, 5, 6],
)

# AmoebaNet-A (Real et al. 2019, Fig. 4), as in quark0/darts cnn/genotypes.py.
AmoebaNet = Genotype(
    normal=[
        ('avg_pool_3x3', 0),
        ('max_pool_3x3', 1),
        ('sep_conv_3x3', 0),
        ('sep_conv_5x5', 2),
        ('sep_conv_3x3', 0),
        ('avg_pool_3x3', 3),
        ('sep_conv_3x3', 1),
        ('skip_connect', 1),
        ('skip_connect', 0),
        ('avg_pool_3x3', 1),
    ],
    normal_concat=[4, 5, 6],
    reduce=[
        ('avg_pool_3x3', 0),
        ('sep_conv_3x3', 1),
        ('max_pool_3x3', 0),
        ('sep_conv_7x7', 2),
        ('sep_conv_7x7', 0),
        ('avg_pool_3x3', 1),
        ('max_pool_3x3', 0),
        ('max_pool_3x3', 1),
        ('conv_7x1_1x7', 0),
        ('sep_conv_3x3', 5),
    ],
    reduce_concat=[3, 4, 6],
)

# DARTS first order (V1) and second order (V2), Liu et al. 2019, Fig. 4 / cnn/genotypes.py.
DARTS_V1 = Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])
DARTS_V2 = Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])
DARTS = DARTS_V2

# ENAS micro cell found on CIFAR-10 (Pham et al. 2018, section 3.2), from the final arc of
# melodyguan/enas scripts/cifar10_micro_final.sh. Each node there is "x_id x_op y_id y_op"
# with ops 0 sep3, 1 sep5, 2 avg, 3 max, 4 identity and inputs 0 = h_{k-2}, 1 = h_{k-1}:
#   normal: 0 2 0 0 | 0 4 0 1 | 0 4 1 1 | 1 0 0 1 | 0 2 1 1
#   reduce: 1 0 1 0 | 0 3 0 2 | 1 1 3 1 | 1 0 0 4 | 0 3 1 1
# ENAS concatenates the "loose ends": the nodes that no other node takes as input.
ENAS = Genotype(
    normal=[
        ('avg_pool_3x3', 0), ('sep_conv_3x3', 0),
        ('skip_connect', 0), ('sep_conv_5x5', 0),
        ('skip_connect', 0), ('sep_conv_5x5', 1),
        ('sep_conv_3x3', 1), ('sep_conv_5x5', 0),
        ('avg_pool_3x3', 0), ('sep_conv_5x5', 1),
    ],
    normal_concat=[2, 3, 4, 5, 6],
    reduce=[
        ('sep_conv_3x3', 1), ('sep_conv_3x3', 1),
        ('max_pool_3x3', 0), ('avg_pool_3x3', 0),
        ('sep_conv_5x5', 1), ('sep_conv_5x5', 3),
        ('sep_conv_3x3', 1), ('skip_connect', 0),
        ('max_pool_3x3', 0), ('sep_conv_5x5', 1),
    ],
    reduce_concat=[2, 4, 5, 6],
)

# PNASNet-5 (Liu et al. 2018, Fig. 1), as in chenxi116/PNASNet.pytorch: 5 blocks, the same
# cell for normal and reduction, output = concatenation of all 5 blocks. (TF's 'none' there is
# the identity, here 'skip_connect'.)
_PNAS_CELL = [
    ('sep_conv_5x5', 0), ('max_pool_3x3', 0),
    ('sep_conv_7x7', 1), ('max_pool_3x3', 1),
    ('sep_conv_5x5', 1), ('sep_conv_3x3', 1),
    ('sep_conv_3x3', 4), ('max_pool_3x3', 1),
    ('sep_conv_3x3', 0), ('skip_connect', 1),
]
PNASNet = Genotype(
    normal=list(_PNAS_CELL),
    normal_concat=[2, 3, 4, 5, 6],
    reduce=list(_PNAS_CELL),
    reduce_concat=[2, 3, 4, 5, 6],
)

# ---------------------------------------------------------------- RNN cells
# From quark0/darts rnn/genotypes.py (ENAS's PTB cell, Pham et al. 2018 Fig. 6, in DARTS form).
ENAS_RNN = RNNGenotype(
    recurrent=[
        ('tanh', 0),
        ('tanh', 1),
        ('relu', 1),
        ('tanh', 3),
        ('tanh', 3),
        ('relu', 3),
        ('relu', 4),
        ('relu', 7),
        ('relu', 8),
        ('relu', 8),
        ('relu', 8),
    ],
    concat=[2, 5, 6, 9, 10, 11],
)
DARTS_V1_RNN = RNNGenotype(recurrent=[('relu', 0), ('relu', 1), ('tanh', 2), ('relu', 3), ('relu', 4), ('identity', 1), ('relu', 5), ('relu', 1)], concat=range(1, 9))
DARTS_V2_RNN = RNNGenotype(recurrent=[('sigmoid', 0), ('relu', 1), ('relu', 1), ('identity', 1), ('tanh', 2), ('sigmoid', 5), ('tanh', 3), ('relu', 5)], concat=range(1, 9))
DARTS_RNN = DARTS_V2_RNN

PUBLISHED = {
    'NASNet': NASNet,
    'AmoebaNet': AmoebaNet,
    'DARTS_V1': DARTS_V1,
    'DARTS_V2': DARTS_V2,
    'ENAS': ENAS,
    'PNASNet': PNASNet,
    'DARTS_V1_RNN': DARTS_V1_RNN,
    'DARTS_V2_RNN': DARTS_V2_RNN,
    'ENAS_RNN': ENAS_RNN,
}

# ---------------------------------------------------------------- whole networks
# ENAS's macro network on CIFAR-10 (Pham et al. 2018, section 3.2, Fig. 7): the fixed_arc of melodyguan/enas
# scripts/cifar10_macro_final.sh. Layer i there is "op s_0 .. s_{i-1}", op numbered as general_child.py's
# branches (0 conv3x3, 1 sepconv3x3, 2 conv5x5, 3 sepconv5x5) and s_j = 1 a skip. The kit reads s_j as the
# paper does (section 2.3: layer k may read any of the layers 1 .. k-1), a skip from layer j; general_child.py
# reads the same bits one layer earlier (bit 0 is the stem's output, bit j the output of layer j - 1), and its
# fixed-arc layers build 1 and 3 as plain convolutions (``_fixed_layer`` takes only a filter size).
ENAS_MACRO = MacroGenotype(layers=[
    ('conv3x3', ()), ('sepconv5x5', ()), ('conv3x3', (0,)),
    ('conv5x5', (2,)), ('conv5x5', ()), ('sepconv5x5', (0, 1, 3)),
    ('conv5x5', (5,)), ('conv5x5', (1, 2, 4, 5, 6)), ('sepconv3x3', (1, 2, 3, 5, 7)),
    ('conv3x3', ()), ('conv5x5', (5,)), ('conv3x3', (0, 3, 4, 9, 10)),
    ('conv5x5', (1, 7, 9, 10)), ('sepconv3x3', (2, 6, 7, 8, 10, 12)), ('conv3x3', (0, 1, 3, 5, 11)),
    ('conv5x5', (2, 10, 12, 14)), ('conv5x5', (1, 5, 8, 9, 10, 11, 14)), ('conv5x5', (4, 6, 8, 11, 13, 16)),
    ('sepconv5x5', (1, 2, 4, 10, 12, 14)), ('sepconv5x5', (1, 2, 12, 13, 18)), ('conv3x3', (0, 3, 5, 6, 10, 16, 17)),
    ('sepconv5x5', (1, 3, 4, 7, 9, 10, 12, 13, 15, 18)), ('conv3x3', (0, 2, 4, 13, 15, 18)),
    ('conv3x3', (0, 1, 5, 6, 7, 9, 13, 15, 18, 19)),
])

PUBLISHED_NETWORKS = {'ENAS_MACRO': ENAS_MACRO}
