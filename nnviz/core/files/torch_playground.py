"""The part of the PyTorch script that trains with plain SGD: TensorFlow Playground's rule.

nnviz's `sgd` is the Playground's (core/train/batches.py): an update after every
batch-size-th point of an epoch, the points left at its end carried into the next
epoch's first update, and under L1 a link whose weight the penalty zeroes is dead for
good. torch has no such optimiser, so the script carries one, `PlaygroundSGD`, whose
per-parameter state holds that memory and is what the exported `-optimizer.safetensors`
file gives it. The other optimisers keep torch's own classes and a DataLoader's batches
(torch_script.py).
"""

from __future__ import annotations

# the entries of PlaygroundSGD's per-parameter state, as the state file names them
SGD_STATE_KEYS = ("carried", "carried_points", "dead")

SGD_CLASS = '''
class PlaygroundSGD(torch.optim.Optimizer):
    """Plain SGD as TensorFlow Playground (and nnviz) does it: w -= lr * gradient, with the
    gradient averaged over the batch's points and any points carried from the last epoch.

    Its memory, per parameter: "carried", the gradient summed over the points left at the
    end of the last epoch, not applied yet; "carried_points", how many; "dead", the epoch
    (from 1) in which the L1 penalty killed each link, 0 while it lives. A dead link is
    never updated again."""

    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = {"carried": torch.zeros_like(p),
                                 "carried_points": torch.tensor(0.0),
                                 "dead": torch.zeros(p.shape, dtype=torch.int64)}

    @torch.no_grad()
    def step(self, points):
        """One update; each p.grad holds the mean gradient over `points` points."""
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                carried = state["carried_points"].item()
                g = p.grad
                if carried:   # the mean over all: the carried sum and this batch's
                    g = (g * points + state["carried"]) / (points + carried)
                p -= group["lr"] * torch.where(state["dead"] != 0, 0.0, g)
                state["carried"].zero_()
                state["carried_points"].zero_()

    @torch.no_grad()
    def carry(self, points):
        """Keep each p.grad, the mean over `points` leftover points, for the next update."""
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["carried"].copy_(p.grad * points)
                self.state[p]["carried_points"].fill_(points)

    @torch.no_grad()
    def kill(self, weights, crossed, epoch):
        """Mark dead the links whose weight the L1 penalty step just set to 0."""
        for w, hit in zip(weights, crossed):
            dead = self.state[w]["dead"]
            dead[hit & (dead == 0)] = epoch
'''

SGD_BATCHES = '''
def batches(n, batch_size):
    """The mini-batches of one epoch, as index ranges: TensorFlow Playground's rule, which
    nnviz keeps for plain SGD. The training points in their fixed order (nnviz shuffled them
    once, when it made the data, and never reshuffles), an update after every
    batch_size-th point of the epoch; the points left at its end (see leftover) are not
    applied then but carried into the next epoch's first update. A batch size larger than
    the training set takes all of it. Change the order here to experiment."""
    size = max(1, min(batch_size, n))
    for start in range(0, n - size + 1, size):
        yield slice(start, start + size)


def leftover(n, batch_size):
    """The points an epoch ends with but does not apply, as an index range (maybe empty)."""
    size = max(1, min(batch_size, n))
    return slice(n - n % size, n)


def train_step(model, optimizer, points, targets, lr, epoch=0):
    """One update: the gradient of the mean loss over the points (averaged with any carried
    ones by PlaygroundSGD.step), then the penalty step; a link the L1 penalty zeroes is dead
    from then on. `epoch` counts the epochs done before this one."""
    for group in optimizer.param_groups:
        group["lr"] = lr
    weights = weights_of(model)
    before = [w.detach().clone() for w in weights]
    optimizer.zero_grad()
    loss = loss_fn(model, points, targets)
    loss.backward()
    optimizer.step(len(points))
    optimizer.kill(weights, penalty_step(weights, before, lr), epoch + 1)
    return loss.item()


def train_epoch(model, optimizer, points, targets, epoch, first_batch=0):
    """One pass over the training points, from batch `first_batch` on; `epoch` counts the
    epochs done before it. It ends by summing the leftover points' gradient for later."""
    lr = LEARNING_RATE / (1 + LR_DECAY * epoch)   # nnviz decays the rate once per epoch
    for batch in list(batches(len(points), BATCH_SIZE))[first_batch:]:
        train_step(model, optimizer, points[batch], targets[batch], lr, epoch)
    left = leftover(len(points), BATCH_SIZE)
    if left.stop > left.start:
        optimizer.zero_grad()
        loss_fn(model, points[left], targets[left]).backward()
        optimizer.carry(left.stop - left.start)
'''
