"""The candidate operations of the DARTS/NASNet cell space (Liu et al. 2019, section 3.1; quark0/darts cnn/operations.py).

``OPS[name](C, stride, affine)`` builds one edge of a cell: ``C`` channels in and out,
``stride`` 2 on the edges a reduction cell takes from its two inputs, ``affine`` False
during the search (DARTS section 3.3) and True in the evaluation network.
The modules are those of the DARTS code, layer for layer, so parameter counts match it.

Two ways to run them, which compute the same thing (``tests/test_fast_path.py``): the plain one,
each module's ``nn.Sequential`` as the DARTS code runs it, and the fast one, the default, which on the
CPU runs a dilated convolution as an undilated one on the input's interleaved sub-images (``atrous``),
takes a separable convolution's second ReLU in place and lets a cell share one ReLU among the ops that
start with it (``after_relu``).  ``set_fast_path``
chooses between them for a whole network.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

OPS = {
    "none": lambda C, stride, affine: Zero(stride),
    "avg_pool_3x3": lambda C, stride, affine: nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False),
    "max_pool_3x3": lambda C, stride, affine: nn.MaxPool2d(3, stride=stride, padding=1),
    "skip_connect": lambda C, stride, affine: Identity() if stride == 1 else FactorizedReduce(C, C, affine=affine),
    "sep_conv_3x3": lambda C, stride, affine: SepConv(C, C, 3, stride, 1, affine=affine),
    "sep_conv_5x5": lambda C, stride, affine: SepConv(C, C, 5, stride, 2, affine=affine),
    "sep_conv_7x7": lambda C, stride, affine: SepConv(C, C, 7, stride, 3, affine=affine),
    "dil_conv_3x3": lambda C, stride, affine: DilConv(C, C, 3, stride, 2, 2, affine=affine),
    "dil_conv_5x5": lambda C, stride, affine: DilConv(C, C, 5, stride, 4, 2, affine=affine),
    # AmoebaNet-A's and PNASNet's "1x7 then 7x1 convolution" (name as in the DARTS code).
    "conv_7x1_1x7": lambda C, stride, affine: nn.Sequential(
        nn.ReLU(inplace=False),
        nn.Conv2d(C, C, (1, 7), stride=(1, stride), padding=(0, 3), bias=False),
        nn.Conv2d(C, C, (7, 1), stride=(stride, 1), padding=(3, 0), bias=False),
        nn.BatchNorm2d(C, affine=affine),
    ),
}


class ReLUConvBN(nn.Module):
    """ReLU -> conv -> BN, the order used throughout NASNet and DARTS."""

    def __init__(self, C_in, C_out, kernel_size, stride, padding, affine=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_out, kernel_size, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )

    def forward(self, x):
        return self.op(x)

    def after_relu(self, x):
        """The op on an input that has been through the ReLU already."""
        _, conv, bn = self.op
        return bn(conv(x))


def set_fast_path(model, fast=True):
    """Run every module of ``model`` that has a fast path (an attribute ``fast``) by it, or by its plain path."""
    for module in model.modules():
        if hasattr(module, "fast"):
            module.fast = fast
    return model


def on_cpu_channels_last(x):
    """x in channels-last memory order on the CPU, where oneDNN's depthwise, pooling and BN kernels are several times
    faster in it (and nothing converts between orders at every convolution); x itself elsewhere."""
    return x.contiguous(memory_format=torch.channels_last) if x.device.type == "cpu" and x.dim() == 4 else x


def relu_of(states, relus, k):
    """ReLU(states[k]), computed the first time it is asked for and remembered in the dict ``relus``: the fast paths
    give every op that starts with a ReLU of the same state (the op's ``after_relu``) this one."""
    if k not in relus:
        relus[k] = F.relu(states[k])
    return relus[k]


def _sub_images(x, d):
    """(B, C, H, W) -> (d*d*B, C, H/d, W/d): the d*d interleaved sub-images x[:, :, a::d, b::d], channels-last."""
    B, C, H, W = x.shape
    sub = x.unflatten(2, (H // d, d)).unflatten(4, (W // d, d)).permute(3, 5, 0, 2, 4, 1)
    return sub.reshape(d * d * B, H // d, W // d, C).permute(0, 3, 1, 2)


def _interleave(y, d):
    """The inverse of ``_sub_images``."""
    n, C, h, w = y.shape
    full = y.permute(0, 2, 3, 1).reshape(d, d, n // (d * d), h, w, C).permute(2, 3, 0, 4, 1, 5)
    return full.reshape(n // (d * d), h * d, w * d, C).permute(0, 3, 1, 2)


class SubImages(torch.autograd.Function):
    """``_sub_images(x, d)`` (``inverse`` False) or ``_interleave(x, d)`` (True), a permutation of x's elements whose
    gradient is the inverse permutation, written as such: left to autograd, the backward of the view reshapes copies
    the gradient pixel by pixel into NCHW order (three times slower, and then added to channels-last gradients)."""

    @staticmethod
    def forward(ctx, x, d, inverse=False):
        ctx.d, ctx.inverse = d, inverse
        return _interleave(x, d) if inverse else _sub_images(x, d)

    @staticmethod
    def backward(ctx, grad):
        return SubImages.apply(grad, ctx.d, not ctx.inverse), None, None


def atrous(conv, x):
    """``conv(x)`` for a depthwise convolution with dilation d, "same" padding d(k-1)/2 and stride 1 or d, computed
    as an undilated convolution on the d*d interleaved sub-images of x (space to batch, as TensorFlow's
    ``atrous_conv2d``; Chen et al. 2017, DeepLab, section 3.1): output pixel (d*q + a, d*r + b) sums
    kernel(i, j) * x(d*(q + i) + a - p, ...), which is sub-image (a, b) convolved at (q, r) with padding p/d.
    The same products and sums, but by oneDNN's fast depthwise kernels, which have no dilated variant for the
    weight gradient (it falls back to im2col + GEMM, 5-20x slower). With stride d only sub-image (0, 0) is read.
    Other shapes, and other devices, run ``conv`` itself."""
    d, (k, _), (p, _), (s, _) = conv.dilation[0], conv.kernel_size, conv.padding, conv.stride
    H, W = x.shape[-2:]
    if x.device.type != "cpu" or conv.dilation != (d, d) or p != d * (k - 1) // 2 or p % d or s not in (1, d) \
            or (s == 1 and (H % d or W % d)):
        return conv(x)
    undilated = dict(padding=p // d, groups=conv.groups)
    if s == d:
        return F.conv2d(x[:, :, ::d, ::d], conv.weight, conv.bias, **undilated)
    return SubImages.apply(F.conv2d(SubImages.apply(x, d), conv.weight, conv.bias, **undilated), d, True)


class DilConv(nn.Module):
    """ReLU -> dilated depthwise conv -> pointwise conv -> BN (applied once)."""

    fast = True

    def __init__(self, C_in, C_out, kernel_size, stride, padding, dilation, affine=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, kernel_size, stride=stride, padding=padding, dilation=dilation,
                      groups=C_in, bias=False),
            nn.Conv2d(C_in, C_out, kernel_size=1, padding=0, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )

    def forward(self, x):
        return self.after_relu(self.op[0](x)) if self.fast else self.op(x)

    def after_relu(self, x):
        """The op on an input that has been through the ReLU already."""
        _, depthwise, pointwise, bn = self.op
        return bn(pointwise(atrous(depthwise, x) if self.fast else depthwise(x)))


class SepConv(nn.Module):
    """Separable convolution applied twice, as in NASNet (Zoph et al. 2018, appendix A.4)."""

    fast = True

    def __init__(self, C_in, C_out, kernel_size, stride, padding, affine=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, kernel_size, stride=stride, padding=padding, groups=C_in, bias=False),
            nn.Conv2d(C_in, C_in, kernel_size=1, padding=0, bias=False),
            nn.BatchNorm2d(C_in, affine=affine),
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, kernel_size, stride=1, padding=padding, groups=C_in, bias=False),
            nn.Conv2d(C_in, C_out, kernel_size=1, padding=0, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )

    def forward(self, x):
        return self.after_relu(self.op[0](x)) if self.fast else self.op(x)

    def after_relu(self, x):
        """The op on an input that has been through the first ReLU already. The fast path takes the second ReLU
        in place, on the first BN's output, which nothing else reads (BN's backward needs its input, not its
        output): one feature map fewer to allocate and to write."""
        _, dw1, pw1, bn1, relu, dw2, pw2, bn2 = self.op
        x = bn1(pw1(dw1(x)))
        x = F.relu(x, inplace=True) if self.fast else relu(x)
        return bn2(pw2(dw2(x)))


class Identity(nn.Module):
    """The skip connection; drop-path leaves it alone (DARTS cnn/model.py)."""

    def forward(self, x):
        return x


class Zero(nn.Module):
    """The 'none' op: no connection, output zeros of the right (strided) shape."""

    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        if self.stride == 1:
            return x.mul(0.0)
        return x[:, :, :: self.stride, :: self.stride].mul(0.0)


class FactorizedReduce(nn.Module):
    """Halve the resolution with two stride-2 1x1 convs, the second shifted by one pixel, concatenated."""

    def __init__(self, C_in, C_out, affine=True):
        super().__init__()
        if C_out % 2:
            raise ValueError(f"FactorizedReduce needs an even number of output channels, got {C_out}.")
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, padding=0, bias=False)
        self.conv_2 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, padding=0, bias=False)
        self.bn = nn.BatchNorm2d(C_out, affine=affine)

    fast = True

    def forward(self, x):
        return self.after_relu(self.relu(x))

    def after_relu(self, x):
        """The op on an input that has been through the ReLU already.

        A 1x1 convolution of stride 2 reads only every other pixel; the fast path runs it at stride 1 on those
        pixels: the same products, and clear of a bug of oneDNN 3.12 (torch 2.13), whose weight gradient of a
        strided 1x1 convolution on a channels-last input with 3 to 6 channels writes past its buffer."""
        if self.fast:
            even, odd = EvenOddPixels.apply(x)
            return self.bn(torch.cat([F.conv2d(even, self.conv_1.weight), F.conv2d(odd, self.conv_2.weight)], dim=1))
        out = torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1)
        return self.bn(out)


class EvenOddPixels(torch.autograd.Function):
    """(x[:, :, ::2, ::2], x[:, :, 1::2, 1::2]), copied in x's memory order (the convolutions that read them copy
    a strided view anyway). Its backward writes both gradients into one tensor of zeros, where the two slices'
    backwards would each fill a tensor of x's size with zeros and then add the two."""

    @staticmethod
    def forward(ctx, x):
        ctx.shape, ctx.channels_last = x.shape, x.is_contiguous(memory_format=torch.channels_last)
        order = torch.channels_last if ctx.channels_last else torch.contiguous_format
        return x[:, :, ::2, ::2].contiguous(memory_format=order), x[:, :, 1::2, 1::2].contiguous(memory_format=order)

    @staticmethod
    def backward(ctx, grad_even, grad_odd):
        order = torch.channels_last if ctx.channels_last else torch.contiguous_format
        grad = torch.empty(ctx.shape, dtype=grad_even.dtype, device=grad_even.device, memory_format=order).zero_()
        grad[:, :, ::2, ::2] = grad_even
        grad[:, :, 1::2, 1::2] = grad_odd
        return grad
