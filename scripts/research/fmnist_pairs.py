# Does a stronger teacher, or fewer labelled images, make KD pay on Fashion-MNIST? A PyTorch check
# beside the app (CPU): train a teacher (MLP with dropout, or LeNet-5 at a width), keep its best
# validation epoch, then the student alone and KD students on its logits, each keeping its best
# validation epoch; one JSON line per model. Validation: a tenth of the training images (seed 7).
#   /usr/bin/python3 scripts/research/fmnist_pairs.py --idx DIR --family mlp|lenet
#       [--teacher-width 800|2] [--student-width 30|0.25] [--dropout P] [--limit N]
#       [--teacher-epochs E] [--teacher-lr LR] [--teacher-batch B] [--epochs E] [--lr LR]
#       [--grid '[["ce",1,0,1],["kd",2,0.9,1],["fm",1,1,1]]'] [--threads N] [--save-onnx TEACHER.onnx]
#       [--teacher-family same|cnn] [--augment] [--save-teacher T.pt | --load-teacher T.pt] [--dump DIR]
# Grid rows are [mode, T, alpha, seed]. Modes: "ce" the student alone; "kd" Hinton's loss on the
# teacher's stored logits; "fm" function matching (Beyer et al. 2022): each batch mixed up with a
# shuffled copy of itself (mixing weight ~ U(0, 1) per image) and the teacher run on that same
# mixed batch, the loss its KL at T alone (alpha is ignored).
import argparse, gzip, json, math, time, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
p = argparse.ArgumentParser()
p.add_argument('--idx', required=True); p.add_argument('--family', choices=['mlp', 'lenet'], default='mlp')
p.add_argument('--teacher-width', type=float, default=800); p.add_argument('--student-width', type=float, default=30)
p.add_argument('--dropout', type=float, default=0.5); p.add_argument('--limit', type=int, default=0)
p.add_argument('--teacher-epochs', type=int, default=40); p.add_argument('--teacher-lr', type=float, default=0.05)
p.add_argument('--teacher-batch', type=int, default=128)
p.add_argument('--epochs', type=int, default=40); p.add_argument('--lr', type=float, default=0.01)
p.add_argument('--grid', default='[["ce",1,0,1],["kd",2,0.9,1],["kd",4,0.9,1],["kd",4,0.5,1]]')
p.add_argument('--threads', type=int, default=2); p.add_argument('--save-onnx', default='')
p.add_argument('--teacher-family', choices=['same', 'cnn'], default='same')
p.add_argument('--augment', action='store_true')  # the teacher trains on shifted and flipped images
p.add_argument('--save-teacher', default=''); p.add_argument('--load-teacher', default='')  # its state_dict (.pt)
p.add_argument('--dump', default='')  # a folder: each split's images, labels and teacher logits, for kd_harness.py
a = p.parse_args()
grid = json.loads(a.grid)  # checked before any training
unknown = sorted({row[0] for row in grid} - {'ce', 'kd', 'fm'})
if unknown: p.error(f'--grid: unknown mode {unknown[0]!r} (ce, kd or fm)')
torch.set_num_threads(a.threads); torch.manual_seed(1)
conv = a.family == 'lenet'
def idx(name, offset): return np.frombuffer(gzip.open(a.idx.rstrip('/') + '/' + name).read(), np.uint8, offset=offset)
shape = (-1, 1, 28, 28) if conv else (-1, 784)
def images(name): return torch.tensor(idx(name, 16).reshape(shape) / 255., dtype=torch.float32)
def labels(name): return torch.tensor(idx(name, 8).astype(np.int64))
xtr, ytr = images('train-images-idx3-ubyte.gz'), labels('train-labels-idx1-ubyte.gz')
xte, yte = images('t10k-images-idx3-ubyte.gz'), labels('t10k-labels-idx1-ubyte.gz')
order = torch.randperm(len(xtr), generator=torch.Generator().manual_seed(7))
held = len(xtr) // 10
xva, yva = xtr[order[:held]], ytr[order[:held]]
train = order[held:] if not a.limit else order[held:held + a.limit]
xtr, ytr = xtr[train], ytr[train]
scaled = lambda n, w: max(1, round(n * w))
def mlp(w, p_hidden=0.):
    w = int(w)
    return nn.Sequential(nn.Dropout(min(0.2, p_hidden)), nn.Linear(784, w), nn.ReLU(), nn.Dropout(p_hidden), nn.Linear(w, w), nn.ReLU(), nn.Dropout(p_hidden), nn.Linear(w, 10))
def lenet(w, p_hidden=0.):
    c1, c2, f1, f2 = scaled(6, w), scaled(16, w), scaled(120, w), scaled(84, w)
    return nn.Sequential(nn.Conv2d(1, c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(c1, c2, 5), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(c2 * 25, f1), nn.ReLU(), nn.Dropout(p_hidden), nn.Linear(f1, f2), nn.ReLU(), nn.Linear(f2, 10))
build = lenet if conv else mlp
class Images(nn.Module):  # flat rows or NCHW in, NCHW out: one teacher for MLP and LeNet students
    def forward(self, x): return x.reshape(-1, 1, 28, 28)
def cnn(w, p_hidden=0.):
    """A VGG-style teacher: two 3×3 blocks (w, then 2w channels) with batch norm, then 256 hidden units."""
    c = int(w); block = lambda i, o: [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU()]
    return nn.Sequential(Images(), *block(1, c), *block(c, c), nn.MaxPool2d(2),
                         *block(c, 2 * c), *block(2 * c, 2 * c), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(p_hidden),
                         nn.Linear(2 * c * 49, 256), nn.ReLU(), nn.Dropout(p_hidden), nn.Linear(256, 10))
def augment(x):
    """Shifts of up to 2 pixels each way and horizontal flips, one of each per image."""
    n = len(x); img = x.reshape(n, 1, 28, 28)
    theta = torch.zeros(n, 2, 3); flip = torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
    theta[:, 0, 0] = flip; theta[:, 1, 1] = 1
    theta[:, :, 2] = torch.randint(-2, 3, (n, 2)).float() * (2 / 28)
    grid = F.affine_grid(theta, img.shape, align_corners=False)
    return F.grid_sample(img, grid, mode='nearest', padding_mode='zeros', align_corners=False).reshape(x.shape)
def logits(net, x):
    net.eval()
    chunk = 2000  # in chunks, for a convnet's memory
    with torch.no_grad(): z = torch.cat([net(x[i:i + chunk]) for i in range(0, len(x), chunk)])
    net.train(); return z
accuracy = lambda net, x, y: (logits(net, x).argmax(1) == y).float().mean().item()
def fit(net, epochs, lr, loss_of, batch):
    """Momentum SGD, cosine from lr; keeps the best validation epoch's weights."""
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    steps = math.ceil(len(xtr) / batch); total = steps * epochs; step = 0; best = (-1.0, None, 0)
    for epoch in range(epochs):
        shuffled = torch.randperm(len(xtr))
        for s in range(steps):
            i = shuffled[s * batch:(s + 1) * batch]
            for group in opt.param_groups: group['lr'] = lr * 0.5 * (1 + math.cos(math.pi * step / total))
            step += 1
            loss = loss_of(net, xtr[i], i); opt.zero_grad(); loss.backward(); opt.step()
        v = accuracy(net, xva, yva)
        if v > best[0]: best = (v, {k: t.clone() for k, t in net.state_dict().items()}, epoch + 1)
    net.load_state_dict(best[1]); return best[0], best[2]
start = time.time()
pct = lambda v: round(v * 100, 2)
teacher = (cnn if a.teacher_family == 'cnn' else build)(a.teacher_width, a.dropout)
teacher_loss = lambda n, x, i: F.cross_entropy(n(augment(x) if a.augment else x), ytr[i])
if a.load_teacher: teacher.load_state_dict(torch.load(a.load_teacher)); val, epoch = accuracy(teacher, xva, yva), 0
else: val, epoch = fit(teacher, a.teacher_epochs, a.teacher_lr, teacher_loss, a.teacher_batch)
if a.save_teacher: torch.save(teacher.state_dict(), a.save_teacher)
print(json.dumps({'model': 'teacher', 'family': a.teacher_family if a.teacher_family != 'same' else a.family, 'width': a.teacher_width, 'dropout': a.dropout, 'train_images': len(xtr), 'val': pct(val), 'epoch': epoch, 'test': pct(accuracy(teacher, xte, yte)), 'seconds': round(time.time() - start)}), flush=True)
if a.save_onnx:  # the teacher as `distill run --teacher FILE.onnx` takes it
    teacher.eval()
    torch.onnx.export(teacher, xtr[:1].reshape(1, 1, 28, 28) if a.teacher_family == 'cnn' else xtr[:1], a.save_onnx, opset_version=13, input_names=['images'], output_names=['logits'],
                      dynamic_axes={'images': {0: 'batch'}, 'logits': {0: 'batch'}})
soft = logits(teacher, xtr)
if a.dump:  # the layout kd_harness.py reads: flat float32 images, uint8 labels, float32 logits
    for name, x, y in (('train', xtr, ytr), ('val', xva, yva), ('test', xte, yte)):
        x.reshape(len(x), -1).numpy().tofile(f'{a.dump}/{name}-x.f32'); y.numpy().astype(np.uint8).tofile(f'{a.dump}/{name}-y.u8')
        (soft if name == 'train' else logits(teacher, x)).numpy().tofile(f'{a.dump}/{name}-t.f32')
teacher.eval()  # for "fm", which runs it on each mixed batch
for mode, T, alpha, seed in grid:
    torch.manual_seed(seed)
    student = build(a.student_width)
    if not conv:  # Glorot-uniform weights and zero biases, as the app's MLPs start
        for layer in student:
            if isinstance(layer, nn.Linear): nn.init.xavier_uniform_(layer.weight); nn.init.zeros_(layer.bias)
    def loss_of(net, x, i, T=T, alpha=alpha, mode=mode):
        if mode == 'fm':
            mix = torch.rand(len(x), *([1] * (x.dim() - 1)))
            x = mix * x + (1 - mix) * x[torch.randperm(len(x))]
            with torch.no_grad(): zt = teacher(x)
            return F.kl_div(F.log_softmax(net(x) / T, 1), F.softmax(zt / T, 1), reduction='batchmean') * T * T
        z = net(x); ce = F.cross_entropy(z, ytr[i])
        if mode == 'ce': return ce
        kl = F.kl_div(F.log_softmax(z / T, 1), F.softmax(soft[i] / T, 1), reduction='batchmean') * T * T
        return alpha * kl + (1 - alpha) * ce
    val, epoch = fit(student, a.epochs, a.lr, loss_of, 64)
    print(json.dumps({'model': 'student', 'width': a.student_width, 'mode': mode, 'T': T, 'alpha': alpha, 'seed': seed, 'val': pct(val), 'epoch': epoch, 'test': pct(accuracy(student, xte, yte)), 'seconds': round(time.time() - start)}), flush=True)
