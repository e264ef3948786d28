"""The parts of the PyTorch script that do not depend on the network (the penalty step,
the batches, the training loop, reading the data, the two main() functions), as fixed
text: its own module as it is Python for the user to read, not code nnviz runs."""

TRAINING = '''
def weights_of(model):
    """The weight matrices of the Linear layers (biases are never penalised)."""
    return [m.weight for m in model if isinstance(m, nn.Linear)]


@torch.no_grad()
def penalty_step(weights, before, lr):
    """The L1/L2 penalty as nnviz (and TensorFlow Playground) applies it: a step of its own,
    after the optimiser's, on the weights only, with the derivative taken at each weight's
    value *before* the optimiser moved it:
        w <- w - lr * REG_RATE * sign(w_before)    (L1)
        w <- w - lr * REG_RATE * w_before          (L2)
    Under L1 a weight that this step would push across zero becomes exactly 0; returns
    where that happened, one mask per weight matrix (all False without L1)."""
    crossed = [torch.zeros(w.shape, dtype=torch.bool) for w in weights]
    if REGULARIZATION is None:
        return crossed
    for w, old, hit in zip(weights, before, crossed):
        der = torch.sign(old) if REGULARIZATION == "l1" else old
        new = w - lr * REG_RATE * der
        if REGULARIZATION == "l1":
            hit.copy_(w * new < 0)
            new = torch.where(hit, 0.0, new)
        w.copy_(new)
    return crossed
'''

TORCH_BATCHES = '''
def batches(n, batch_size):
    """The mini-batches of one epoch, as index ranges.

    nnviz's rule for this optimiser: the training points in their fixed order (nnviz
    shuffled them once, when it made the data, and never reshuffles), batch_size at a time;
    a short last batch is a batch of its own, its gradient averaged over its own points.
    The same batches as a DataLoader with shuffle=False, drop_last=False. Change the order
    here to experiment.
    """
    for start in range(0, n, batch_size):
        yield slice(start, min(start + batch_size, n))


def train_step(model, optimizer, points, targets, lr):
    """One mini-batch update: the optimiser's step on the mean loss, then the penalty step."""
    for group in optimizer.param_groups:
        group["lr"] = lr
    weights = weights_of(model)
    before = [w.detach().clone() for w in weights]
    optimizer.zero_grad()
    loss = loss_fn(model, points, targets)
    loss.backward()
    optimizer.step()
    penalty_step(weights, before, lr)
    return loss.item()


def train_epoch(model, optimizer, points, targets, epoch, first_batch=0):
    """One pass over the training points, from batch `first_batch` on; `epoch` counts the
    epochs done before it."""
    lr = LEARNING_RATE / (1 + LR_DECAY * epoch)   # nnviz decays the rate once per epoch
    for batch in list(batches(len(points), BATCH_SIZE))[first_batch:]:
        train_step(model, optimizer, points[batch], targets[batch], lr)
'''

READ = '''
def read_data(path=DATA_FILE):
    """The exported points: one row per point (x, y, label, split); the "train" rows are in
    the order nnviz trained on them. Returns train points (N, 2), train labels (N,), test
    points (M, 2), test labels (M,)."""
    sets = {"train": ([], []), "test": ([], [])}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            points, labels = sets[row["split"]]
            points.append((float(row["x"]), float(row["y"])))
            labels.append(float(row["label"]))
    (train_x, train_y), (test_x, test_y) = sets["train"], sets["test"]
    return (torch.tensor(train_x).reshape(-1, 2), torch.tensor(train_y),
            torch.tensor(test_x).reshape(-1, 2), torch.tensor(test_y))


@torch.no_grad()
def mean_loss(model, points, targets):
    """The loss over a whole set, without the penalty, as nnviz shows it (nan for no points)."""
    return loss_fn(model, points, targets).item() if len(points) else float("nan")
'''

TRAIN_MAIN = '''
def main():
    parser = argparse.ArgumentParser(description="Train the network exported from nnviz on.")
    parser.add_argument("--epochs", type=int, default=100, help="epochs to train (default 100)")
    args = parser.parse_args()

    model = build_model()
    load_weights(model)
    train_x, train_labels, test_x, test_labels = read_data()
    train_t, test_t = targets_of(train_labels), targets_of(test_labels)
    optimizer = make_optimizer(model)
    LOAD_OPTIMIZER

    def report(epoch):
        train, test = mean_loss(model, train_x, train_t), mean_loss(model, test_x, test_t)
        print(f"{epoch:8d}  {train:12.6g}  {test:12.6g}")

    end = START_EPOCH + args.epochs
    every = max(1, args.epochs // 10)
    print(f"{'epoch':>8}  {'train loss':>12}  {'test loss':>12}")
    report(START_EPOCH)
    for epoch in range(START_EPOCH, end):
        first = START_BATCH if epoch == START_EPOCH else 0   # finish the epoch nnviz had begun
        train_epoch(model, optimizer, train_x, train_t, epoch, first)
        if (epoch + 1 - START_EPOCH) % every == 0 or epoch + 1 == end:
            report(epoch + 1)
'''

PREDICT_MAIN = '''
def main():
    model = build_model()
    load_weights(model)
    points = torch.tensor([[-3.0, -3.0], [-3.0, 3.0], [0.0, 0.0], [3.0, -3.0], [3.0, 3.0]])
    with torch.no_grad():
        outputs = model(points)
    for (x, y), out in zip(points.tolist(), outputs.tolist()):
        print(f"({x:5.1f}, {y:5.1f}) -> {', '.join(f'{v:.6f}' for v in out)}")
    print("No training settings or data came with this network: see the top of this file.")
'''
