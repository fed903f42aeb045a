"""The DARTS bilevel step (Liu et al. 2019, section 2.3; quark0/darts cnn/architect.py).

    min_alpha L_val(w*(alpha), alpha)   s.t.   w*(alpha) = argmin_w L_train(w, alpha)       (eq. 3-4)

w*(alpha) is approximated by one training step (eq. 6), w' = w - xi grad_w L_train(w, alpha), and

    grad_alpha L_val(w', alpha) - xi * grad^2_{alpha,w} L_train(w, alpha) grad_w' L_val(w', alpha)      (eq. 7)

where the second-order term is a finite difference (eq. 8):

    (grad_alpha L_train(w+, alpha) - grad_alpha L_train(w-, alpha)) / (2 eps),
    w+- = w +- eps grad_w' L_val(w', alpha),   eps = 0.01 / ||grad_w' L_val(w', alpha)||.

First order (xi = 0) is the plain grad_alpha L_val(w, alpha).  As in the DARTS code the
virtual step w' is the step the weight optimiser would take (SGD with its momentum buffer
and weight decay, xi its current learning rate); momentum and weight decay do not depend
on alpha, so eq. 7-8 are unchanged.  The virtual step runs the same modules with other
weights (``torch.func.functional_call``), so no copy of the network is built.
"""
import torch
from torch.func import functional_call


class Architect:
    """Updates alpha on validation batches.

    model:       has ``named_weights()`` (w) and ``arch_parameters()`` (alpha)
    w_optimizer: the SGD optimiser of w (its lr is xi; its momentum and weight decay enter w')
    loss_fn:     ``loss_fn(forward, batch)`` -> loss, or (loss, state); ``forward(*inputs)`` runs the
                 model, with the weights the architect substitutes
    unrolled:    True for the second-order approximation, False for first order
    r:           the 0.01 of eps = r / ||grad_w' L_val||
    clip:        clip grad_w L_train to this norm in the virtual step (the DARTS RNN code does), or None
    """

    def __init__(self, model, w_optimizer, loss_fn, arch_lr=3e-4, arch_betas=(0.5, 0.999), arch_weight_decay=1e-3,
                 unrolled=False, r=1e-2, clip=None):
        self.model, self.w_optimizer, self.loss_fn = model, w_optimizer, loss_fn
        self.unrolled, self.r, self.clip = unrolled, r, clip
        self.optimizer = torch.optim.Adam(model.arch_parameters(), lr=arch_lr, betas=arch_betas,
                                          weight_decay=arch_weight_decay)

    # ------------------------------------------------------------ losses with given weights
    def _loss(self, weights, batch):
        """(loss, state) of the model run with ``weights`` (a dict name -> tensor) in place of w."""
        out = self.loss_fn(lambda *inputs: functional_call(self.model, weights, inputs), batch)
        return out if isinstance(out, tuple) else (out, None)

    def _weights(self):
        return dict(self.model.named_weights())

    # ------------------------------------------------------------ eq. 6: the virtual step
    def unrolled_weights(self, train_batch, xi):
        """w' = w - xi * (grad_w L_train(w, alpha) + weight_decay * w + momentum * buffer), detached."""
        w = self._weights()
        group = self.w_optimizer.param_groups[0]
        momentum, weight_decay = group.get("momentum", 0.0), group.get("weight_decay", 0.0)
        loss, _ = self._loss(w, train_batch)
        grads = torch.autograd.grad(loss, list(w.values()))
        if self.clip is not None:
            norm = torch.sqrt(sum((g * g).sum() for g in grads))
            grads = [g * min(1.0, self.clip / (float(norm) + 1e-6)) for g in grads]
        unrolled = {}
        for (name, p), g in zip(w.items(), grads):
            d = g + weight_decay * p.detach()
            buf = self.w_optimizer.state.get(p, {}).get("momentum_buffer")
            if momentum and buf is not None:
                d = d + momentum * buf
            unrolled[name] = (p.detach() - xi * d).requires_grad_(True)
        return unrolled

    # ------------------------------------------------------------ eq. 7-8
    def arch_gradient(self, train_batch, valid_batch, xi=None):
        """The architecture gradient (a list like ``arch_parameters()``) and the state of the validation loss."""
        alphas = self.model.arch_parameters()
        if not self.unrolled:
            loss, state = self._loss(self._weights(), valid_batch)
            return list(torch.autograd.grad(loss, alphas)), state
        xi = self.w_optimizer.param_groups[0]["lr"] if xi is None else xi
        w_prime = self.unrolled_weights(train_batch, xi)
        loss, state = self._loss(w_prime, valid_batch)
        grads = torch.autograd.grad(loss, alphas + list(w_prime.values()))
        d_alpha, d_w = grads[:len(alphas)], grads[len(alphas):]
        implicit = self.hessian_vector_product(d_w, train_batch)
        return [da - xi * h for da, h in zip(d_alpha, implicit)], state

    def hessian_vector_product(self, vector, train_batch):
        """grad^2_{alpha,w} L_train(w, alpha) . vector by central differences (eq. 8)."""
        w = self._weights()
        eps = self.r / torch.sqrt(sum((v * v).sum() for v in vector))
        alphas = self.model.arch_parameters()
        grads = []
        for sign in (1.0, -1.0):
            shifted = {name: p.detach() + sign * eps * v for (name, p), v in zip(w.items(), vector)}
            loss, _ = self._loss(shifted, train_batch)
            grads.append(torch.autograd.grad(loss, alphas))
        return [(gp - gm) / (2 * eps) for gp, gm in zip(*grads)]

    def step(self, train_batch, valid_batch, xi=None):
        """One Adam step on alpha; returns the state of the validation loss (e.g. an RNN's hidden)."""
        self.optimizer.zero_grad()
        grads, state = self.arch_gradient(train_batch, valid_batch, xi)
        for a, g in zip(self.model.arch_parameters(), grads):
            a.grad = g.detach()
        self.optimizer.step()
        return state

    def state_dict(self):
        return {"optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state):
        self.optimizer.load_state_dict(state["optimizer"])
