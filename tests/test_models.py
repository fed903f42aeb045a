"""The network builders reproduce the published networks (DARTS, ENAS, NASNet, AmoebaNet, PNAS)."""
import pytest
import torch

from nas_kit import genotypes as G
from nas_kit.models import (OPS, MacroNetwork, NetworkCIFAR, RNNModel, count_parameters)
from nas_kit.models.operations import FactorizedReduce, Identity

CNN_CELLS = ["NASNet", "AmoebaNet", "DARTS_V1", "DARTS_V2", "ENAS", "PNASNet"]
RNN_CELLS = ["DARTS_V1_RNN", "DARTS_V2_RNN", "ENAS_RNN"]


def n_params(module):
    return sum(p.numel() for p in module.parameters())


# ---------------------------------------------------------------- operations

def test_every_cnn_op_of_the_genotypes_is_implemented():
    assert set(G.CNN_OPS) <= set(OPS)


def test_sep_conv_3x3_has_the_parameters_of_two_stacked_separable_convs():
    # per separable conv at C=16: depthwise 16*3*3 + pointwise 16*16 + BN (gamma, beta) 2*16
    C = 16
    assert n_params(OPS["sep_conv_3x3"](C, 1, True)) == 2 * (C * 9 + C * C + 2 * C) == 864
    assert n_params(OPS["sep_conv_3x3"](C, 1, False)) == 2 * (C * 9 + C * C) == 800


def test_skip_connect_is_identity_but_factorized_reduce_when_strided():
    assert isinstance(OPS["skip_connect"](8, 1, True), Identity)
    assert isinstance(OPS["skip_connect"](8, 2, True), FactorizedReduce)


@pytest.mark.parametrize("name", G.CNN_OPS)
def test_each_op_keeps_channels_and_halves_resolution_at_stride_2(name):
    x = torch.randn(2, 8, 8, 8)
    assert OPS[name](8, 1, True)(x).shape == (2, 8, 8, 8)
    assert OPS[name](8, 2, True)(x).shape == (2, 8, 4, 4)


# ---------------------------------------------------------------- CIFAR network

def test_darts_v2_builds_to_3349342_parameters_and_its_auxiliary_head_adds_476426():
    model = NetworkCIFAR(36, 10, 20, True, G.DARTS_V2)
    assert count_parameters(model) == 3_349_342  # DARTS paper Table 1: 3.3M
    assert n_params(model) - count_parameters(model) == 476_426
    assert n_params(model.auxiliary_head) == 476_426


@pytest.mark.parametrize("name", CNN_CELLS)
def test_published_cell_trains_one_step_on_cpu(name):
    torch.manual_seed(0)
    model = NetworkCIFAR(8, 10, 5, True, G.PUBLISHED[name], drop_path_prob=0.2)
    logits, logits_aux = model(torch.randn(2, 3, 32, 32))
    assert logits.shape == (2, 10) and logits_aux.shape == (2, 10)
    (logits.sum() + 0.4 * logits_aux.sum()).backward()
    assert all(p.grad is not None for n, p in model.named_parameters() if "auxiliary" not in n)


def test_cells_honour_concat_nasnet_normal_cell_outputs_five_nodes_reduction_three():
    model = NetworkCIFAR(8, 10, 5, False, G.NASNet)
    assert [cell.multiplier for cell in model.cells] == [5, 3, 5, 3, 5]
    assert model.classifier.in_features == 5 * 32


def test_auxiliary_head_only_in_train_mode():
    model = NetworkCIFAR(8, 10, 5, True, G.DARTS_V2).eval()
    logits, logits_aux = model(torch.randn(2, 3, 32, 32))
    assert logits.shape == (2, 10) and logits_aux is None


def test_drop_path_is_active_in_train_mode_only():
    torch.manual_seed(0)
    model = NetworkCIFAR(8, 10, 5, False, G.DARTS_V2)
    x = torch.randn(2, 3, 32, 32)
    for training in (True, False):
        model.train(training)
        model.drop_path_prob = 0.0
        plain = model(x)[0]
        model.drop_path_prob = 0.5
        dropped = model(x)[0]
        assert torch.allclose(plain, dropped) != training


@pytest.mark.parametrize("broken, field", [
    (G.DARTS_V2._replace(normal=[("sep_conv_9x9", 0)] + G.DARTS_V2.normal[1:]), "genotype.normal[0]"),
    (G.DARTS_V2._replace(reduce=G.DARTS_V2.reduce[:-1]), "genotype.reduce"),
    (G.DARTS_V2._replace(normal=G.DARTS_V2.normal[:2] + [("skip_connect", 4)] + G.DARTS_V2.normal[3:]), "genotype.normal[2]"),
    (G.DARTS_V2._replace(normal_concat=[2, 3, 4, 9]), "genotype.normal_concat"),
])
def test_malformed_genotype_raises_one_sentence_naming_the_field(broken, field):
    with pytest.raises(ValueError) as err:
        NetworkCIFAR(8, 10, 5, False, broken)
    message = str(err.value)
    assert field in message and message.endswith(".") and message.count(". ") == 0


# ---------------------------------------------------------------- ENAS macro network

ARCH = [("conv3x3", ()), ("sepconv5x5", (0,)), ("maxpool3x3", (0, 1)),
        ("avgpool3x3", (1,)), ("conv5x5", (0, 2, 3)), ("sepconv3x3", (4,))]


def test_enas_macro_network_trains_one_step_and_pools_at_L_over_3():
    torch.manual_seed(0)
    model = MacroNetwork(ARCH, C=8, num_classes=10, keep_prob=0.9)
    assert model.pool_layers == [1, 3]
    assert model.classifier.in_features == 32  # channels double at each of the two pools
    logits = model(torch.randn(2, 3, 32, 32))
    assert logits.shape == (2, 10)
    logits.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_enas_macro_skip_conv_takes_all_skipped_layers():
    model = MacroNetwork(ARCH, C=8)
    # layer 4 concatenates layers 0, 2, 3 and its own output at width 4C = 32 channels
    assert model.skip_convs[4].op[1].in_channels == 4 * 32


@pytest.mark.parametrize("arch, field", [
    ([("conv7x7", ())], "arch[0]"),
    ([("conv3x3", ()), ("conv3x3", (1,))], "arch[1]"),
])
def test_malformed_macro_arch_names_the_layer(arch, field):
    with pytest.raises(ValueError, match=field.replace("[", r"\[").replace("]", r"\]")):
        MacroNetwork(arch, C=8)


# ---------------------------------------------------------------- recurrent cell and language model

def test_darts_v2_rnn_language_model_has_23m_parameters():
    model = RNNModel(10000, 850, 850, 850, genotype=G.DARTS_V2_RNN)
    # tied embedding 10000*850 + decoder bias 10000 + W0 1700*1700 + 8 nodes * 850*1700
    assert n_params(model) == 22_960_000
    assert abs(n_params(model) - 23e6) / 23e6 < 0.01  # DARTS paper Table 2: 23M


@pytest.mark.parametrize("name", RNN_CELLS)
def test_published_recurrent_cell_trains_one_step_on_cpu(name):
    torch.manual_seed(0)
    model = RNNModel(50, 16, 16, 16, genotype=G.PUBLISHED[name])
    hidden = model.init_hidden(2)
    log_prob, hidden = model(torch.randint(0, 50, (5, 2)), hidden)
    assert log_prob.shape == (5, 2, 50) and hidden[0].shape == (1, 2, 16)
    torch.nn.functional.nll_loss(log_prob.view(-1, 50), torch.randint(0, 50, (10,))).backward()
    assert model.encoder.weight.grad is not None and model.rnns[0]._W0.grad is not None
    assert len(model.rnns[0]._Ws) == len(G.PUBLISHED[name].recurrent)


def test_decoder_weights_are_tied_to_the_embedding():
    model = RNNModel(50, 16, 16, 16, genotype=G.DARTS_V2_RNN)
    assert model.decoder.weight is model.encoder.weight


def test_language_model_is_deterministic_in_eval_mode_only():
    torch.manual_seed(0)
    model = RNNModel(50, 16, 16, 16, genotype=G.ENAS_RNN)
    x = torch.randint(0, 50, (5, 2))
    model.eval()
    assert torch.equal(model(x, model.init_hidden(2))[0], model(x, model.init_hidden(2))[0])
    model.train()
    assert not torch.equal(model(x, model.init_hidden(2))[0], model(x, model.init_hidden(2))[0])


def test_malformed_rnn_genotype_names_the_field():
    broken = G.DARTS_V2_RNN._replace(recurrent=[("swish", 0)] + list(G.DARTS_V2_RNN.recurrent[1:]))
    with pytest.raises(ValueError, match=r"genotype\.recurrent\[0\]"):
        RNNModel(50, 16, 16, 16, genotype=broken)


def test_enas_twelve_layer_macro_network_pools_after_layers_4_and_8_and_accepts_every_skip():
    ops = ["conv3x3", "conv5x5", "sepconv3x3", "sepconv5x5", "maxpool3x3", "avgpool3x3"]
    arch = [(ops[i % 6], tuple(range(i))) for i in range(12)]  # every skip connection on
    model = MacroNetwork(arch, C=4)
    assert model.pool_layers == [3, 7]  # 0-indexed: after the 4th and 8th layers
    assert model(torch.randn(2, 3, 16, 16)).shape == (2, 10)
