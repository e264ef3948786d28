"""The Trainer's numpy path: the readable reference standing in for the compiled kernel.

On a first start the kernel is compiled in the background for half a minute (see
kernel_build.py); meanwhile the Trainer trains with reference.py, which is tested equal
to the kernel to 1e-12, and takes up the kernel between two calls once it is loaded. Both
paths share the parameters, the optimiser state, the counters and the history, so the
run goes on where it was, only slower (a few hundred epochs/s for the default network).

Every formula is the reference's (or losses' and Network's); this mixin only arranges
the calls as the kernel's entry points are arranged: kernels.train_eval is the batches
(with the Playground's carried points and dead links, kept in the Trainer's Carry and dead
mask, which both paths share), then both losses, the correct counts and each layer's
gradient size, into Trainer._out. One thing waits for the kernel: the search for a layer
frozen for good (the network that can no longer learn), which only the kernel makes;
the numpy path reports none, and the kernel looks again once it has taken over.
"""

from __future__ import annotations

import numpy as np

from nnviz.core.model import losses
from nnviz.core.train import reference
from nnviz.core.train.batches import Carry
from nnviz.core.train.optimizers import Hyper, OptimizerState

Array = np.ndarray


class ReferenceMixin:
    """_reference_* methods of Trainer, used while nnviz.core.compiled says the kernel is not loaded."""

    def _reference_scores(self) -> None:
        """_out[:4]: train loss, train correct, test loss, test correct (kernels.evaluate's job)."""
        net, kind = self.network, self.network.output_kind
        sets = ((self._xtr, self._ttr, self._ctr), (self._xte, self._tte, self._cte))
        with np.errstate(all="ignore"):   # a diverged network's NaNs are reported by _check, not warned
            for k, (x, t, c) in enumerate(sets):
                self._out[2 * k] = reference.mean_loss(net, x, t)
                out = net.forward(x)[1][-1]                                     # (N, n_out)
                self._out[2 * k + 1] = np.count_nonzero(losses.predicted_class(kind, out) == c)

    def _reference_step(self, params: Array, grad: Array, m: Array, v: Array, acc: Array, dead: Array,
                        counts: Array, last: Array, x: Array, t: Array, first: int, size: int) -> None:
        """One update (batch `first` of x (N, n_in), t (N, n_out) in batches of `size`) on the
        arrays given, in place, as kernels.train_batches makes it for the step preview:
        params, grad, m, v, acc, dead (P,), counts (2,) update count and points carried,
        last (P,) the change made."""
        net = self.network.copy()
        net.set_params(params)
        state = OptimizerState(m, v, int(counts[0]))
        carry = Carry(acc, int(counts[1]))
        with np.errstate(all="ignore"):
            g = reference.train_batches(net, state, x, t, size, first, 1, Hyper.from_config(self.config, self.epoch),
                                        carry, dead, self.epoch + 1)
        last[:] = net.params - params
        params[:] = net.params
        grad[:] = g
        counts[0], counts[1] = state.t, carry.count

    def _reference_run(self, count: int) -> None:
        """Batches self.batch .. self.batch + count - 1, then the scores (kernels.train_eval's job).

        Updates the optimiser state (its step count included), the carry and the dead mask
        in place, as the kernel does through its counts."""
        cfg, net = self.config, self.network
        h, rules = Hyper.from_config(cfg, self.epoch), (self._carry, self._dead, self.epoch + 1)
        with np.errstate(all="ignore"):
            if count > 1:
                reference.train_batches(net, self._opt, self._xtr, self._ttr, cfg.batch_size, self.batch,
                                        count - 1, h, *rules)
            before = net.params.copy()      # the last update's change, as the kernel records it
            g = reference.train_batches(net, self._opt, self._xtr, self._ttr, cfg.batch_size,
                                        self.batch + count - 1, 1, h, *rules)
            self.last_update[:] = net.params - before
        self.grad[:] = g
        self._reference_scores()
        self._out[4] = -1.0           # no frozen-layer search on this path (see the module doc)
        self._out[5:] = self._norms(g)

    def _reference_epochs(self, n: int, target_loss: float) -> int:
        """Up to n whole epochs from an epoch boundary (kernels.train_epoch_run's job); returns those done."""
        done = 0
        while done < n:
            self._run(self.batches_per_epoch)
            done += 1
            if self.diverged or (target_loss > 0 and self.test_loss <= target_loss):
                break
        return done

    def _reference_outputs(self) -> Array:
        """(N_test, n_out) network outputs on the test set (kernels.forward_outputs' job)."""
        with np.errstate(all="ignore"):
            return self.network.forward(self._xte)[1][-1]
