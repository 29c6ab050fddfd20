# A slimmable teacher (Yu & Huang 2019, in-place distillation): mlp-800x2 trained together with the
# network of its first --width units per hidden layer, which learns from the whole net's softmax
# (KL at --T, weight --lam); the student then starts as that slice (kd_harness.py --init select-first).
# Reads and writes folders like scripts/research/dump-for-harness.ts's; prints one JSON line per epoch.
#   python3 scripts/research/slimmable_teacher.py --dump DIR --out OUT [--lr 0.05 --cosine --epochs 15]
#       [--init-from DIR: start from that dump's teacher, its strongest units moved first]
import argparse, json, math, os, shutil, numpy as np, torch, torch.nn.functional as F, copy
p = argparse.ArgumentParser()
p.add_argument('--dump', required=True); p.add_argument('--out', required=True)
p.add_argument('--width', type=int, default=30); p.add_argument('--lam', type=float, default=1.0)
p.add_argument('--slice-ce', type=float, default=0.0)  # share of CE in the slice's loss (rest: KL from the full net)
p.add_argument('--T', type=float, default=1.0)
p.add_argument('--lr', type=float, default=0.01); p.add_argument('--epochs', type=int, default=40)
p.add_argument('--patience', type=int, default=8); p.add_argument('--plateau', type=int, default=3)
p.add_argument('--init-from', default='')  # a dump whose teacher weights start the net, its strongest units moved first
p.add_argument('--cosine', action='store_true')
p.add_argument('--seed', type=int, default=1); p.add_argument('--threads', type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
D = a.dump.rstrip('/') + '/'
def load(n):
    x = torch.from_numpy(np.fromfile(D + n + '-x.f32', np.float32)).view(-1, 784)
    y = torch.from_numpy(np.fromfile(D + n + '-y.u8', np.uint8).astype(np.int64)); return x, y
xtr, ytr = load('train'); xva, yva = load('val'); xte, yte = load('test')
def lin(i, o):
    w = torch.empty(i, o); torch.nn.init.xavier_uniform_(w.T); return w.requires_grad_(), torch.zeros(o, requires_grad=True)
W0, b0 = lin(784, 800); W1, b1 = lin(800, 800); W2, b2 = lin(800, 10); P = [W0, b0, W1, b1, W2, b2]
k = a.width
if a.init_from:
    S = a.init_from.rstrip('/') + '/'; shapes = json.load(open(S + 'weights.json'))
    Wt = [torch.from_numpy(np.fromfile(S + f'w{i}.f32', np.float32)).view(*sh) for i, sh in enumerate(shapes)]
    def order(w_out):  # the strongest units (largest outgoing weights, as --init select-norm picks) first
        top = w_out.norm(dim=1).argsort(descending=True)[:k].sort().values
        rest = torch.tensor([i for i in range(w_out.shape[0]) if i not in set(top.tolist())])
        return torch.cat([top, rest])
    o1 = order(Wt[2]); o2 = order(Wt[4])
    with torch.no_grad():
        W0.copy_(Wt[0][:, o1]); b0.copy_(Wt[1][o1]); W1.copy_(Wt[2][o1][:, o2]); b1.copy_(Wt[3][o2]); W2.copy_(Wt[4][o2]); b2.copy_(Wt[5])
def full(x): return F.relu(F.relu(x @ W0 + b0) @ W1 + b1) @ W2 + b2
def sl(x): return F.relu(F.relu(x @ W0[:, :k] + b0[:k]) @ W1[:k, :k] + b1[:k]) @ W2[:k] + b2
opt = torch.optim.SGD(P, lr=a.lr, momentum=0.9)
acc = lambda f, x, y: (f(x).argmax(1) == y).float().mean().item() * 100
best = -1; since = since_cut = 0; lr = a.lr; log = []
for ep in range(a.epochs):
    perm = torch.randperm(len(xtr))
    for s in range(0, len(xtr), 64):
        if a.cosine:
            lr = a.lr * 0.5 * (1 + math.cos(math.pi * (ep + s / len(xtr)) / a.epochs))
            for g in opt.param_groups: g['lr'] = lr
        idx = perm[s:s + 64]; x, y = xtr[idx], ytr[idx]
        z = full(x); loss = F.cross_entropy(z, y)
        if a.lam:
            zs = sl(x)
            kl = F.kl_div(F.log_softmax(zs / a.T, 1), F.softmax(z.detach() / a.T, 1), reduction='batchmean') * a.T ** 2
            loss = loss + a.lam * (a.slice_ce * F.cross_entropy(zs, y) + (1 - a.slice_ce) * kl)
        opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad():
        r = dict(ep=ep + 1, lr=lr, val=acc(full, xva, yva), test=acc(full, xte, yte), sval=acc(sl, xva, yva), stest=acc(sl, xte, yte))
    print(json.dumps(r), flush=True); log.append(r)
    if r['val'] > best:
        best = r['val']; kept = [w.detach().clone() for w in P]; since = since_cut = 0
    else:
        since += 1; since_cut += 1
        if since_cut >= a.plateau and not a.cosine:
            lr *= 0.1; since_cut = 0
            for g in opt.param_groups: g['lr'] = lr
        if since >= a.patience: break
os.makedirs(a.out, exist_ok=True)
with torch.no_grad():
    for w, kw in zip(P, kept): w.copy_(kw)
    for n, x in (('train', xtr), ('val', xva), ('test', xte)):
        for part in ('x.f32', 'y.u8'): shutil.copyfile(D + f'{n}-{part}', f'{a.out}/{n}-{part}')
        full(x).numpy().astype(np.float32).tofile(f'{a.out}/{n}-t.f32')
    for i, w in enumerate(kept): w.contiguous().numpy().astype(np.float32).tofile(f'{a.out}/w{i}.f32')
    json.dump([list(w.shape) for w in kept], open(f'{a.out}/weights.json', 'w'))
    print(json.dumps(dict(final=True, teacher_test=acc(full, xte, yte), slice_test=acc(sl, xte, yte), slice_val=acc(sl, xva, yva))), flush=True)
