# KD recipes for a small MLP student in PyTorch (CPU, one thread), on what
# scripts/research/dump-for-harness.ts wrote: the app's teacher logits, its validation split.
# Prints one JSON line: validation-best epoch, the test accuracy there, the last epoch's.
#   python3 scripts/research/kd_harness.py --dump DIR --mode ce|kd|lskd|dkd|dist [--T 4 --alpha 0.9]
#       [--lr 0.01] [--epochs 40] [--schedule cosine|plateau|constant] [--patience N] [--mixup P] [--seed S]
#       [--width 30] [--write-dump OUT] [--init xavier|svd|select|select-norm|select-act|select-first] [--bias-correct] [--hint W]
# --write-dump: a dump like DIR's whose teacher is the student trained here, at its best validation
# epoch (a teacher assistant, Mirzadeh et al. 2020: teacher → assistant → student).
import argparse, json, math, numpy as np, torch, torch.nn as nn, torch.nn.functional as F, time
p = argparse.ArgumentParser()
p.add_argument('--mode', default='kd')  # kd | ce
p.add_argument('--T', type=float, default=2); p.add_argument('--alpha', type=float, default=0.5)
p.add_argument('--lr', type=float, default=0.01); p.add_argument('--epochs', type=int, default=40)
p.add_argument('--batch', type=int, default=64); p.add_argument('--seed', type=int, default=1)
p.add_argument('--mixup', type=float, default=0)  # probability a batch is mixed (teacher relabels it)
p.add_argument('--width', type=int, default=30); p.add_argument('--wd', type=float, default=0)
p.add_argument('--write-dump', default='')
p.add_argument('--opt', default='sgd')  # sgd (momentum 0.9) | adam: the student's optimizer after any selection steps
p.add_argument('--mix-same-class', action='store_true')  # with --mixup: each image mixed with another of its own class (the teacher relabels it)
p.add_argument('--flip', type=float, default=0)
p.add_argument('--shift', type=float, default=0)  # share of images shifted by up to --shift-px pixels, relabelled by the teacher
p.add_argument('--shift-px', type=int, default=1)
p.add_argument('--teacher-tta', type=int, default=0)  # the training images' soft labels averaged (as probabilities) over every shift of up to this many pixels
p.add_argument('--jacobian', type=float, default=0)  # Jacobian matching (Srinivas & Fleuret 2018): weight of the squared distance between the normalised input gradients of the true class's logit, student against teacher
p.add_argument('--erase', type=float, default=0)  # share of images with a random rectangle blanked (random erasing, Zhong et al. 2020), relabelled by the teacher
p.add_argument('--noise', type=float, default=0)  # share of images with Gaussian pixel noise (std --noise-std, clipped to 0-1), relabelled by the teacher: a transfer set near the data
p.add_argument('--noise-std', type=float, default=0.1)
p.add_argument('--bss', type=float, default=0)  # share of images moved towards the teacher's boundary with its second class (Heo et al. 2019, boundary supporting samples), relabelled by the teacher
p.add_argument('--bss-eps', type=float, default=0.02); p.add_argument('--bss-steps', type=int, default=3)
p.add_argument('--crd', type=float, default=0)  # contrastive representation distillation (Tian et al. 2020), in-batch: InfoNCE between learnt 64-d projections of the last hidden layers, student against teacher, weight W
p.add_argument('--crd-tau', type=float, default=0.1)
p.add_argument('--wsld', action='store_true')  # weighted soft labels (Zhou et al. 2021): each image's soft term weighted by 1 - exp(-CE_student / CE_teacher), DIST's per-image term or KD's KL
p.add_argument('--sp', type=float, default=0)  # similarity-preserving KD (Tung & Mori 2019): weight of the distance between the batch's row-normalised Gram matrices of the last hidden layer, student against teacher
p.add_argument('--pkt', type=float, default=0)  # probabilistic knowledge transfer (Passalis & Tefas 2018): KL between the batch's cosine-similarity distributions of the last hidden layer
p.add_argument('--save-state', default='')  # the best validation epoch's weights, for soup.py
p.add_argument('--select-from', default='')
p.add_argument('--hint-selected', type=float, default=0)  # with --init select*: MSE from each student hidden layer to the teacher's units it was selected from (features, no regressor)
p.add_argument('--bias-correct', action='store_true')  # with --init select*: dropped units' mean contributions folded into the kept biases
p.add_argument('--ema', type=float, default=0)  # evaluate an exponential moving average of the weights with this decay per step  # a --write-dump folder whose student's weights --init select* prunes, in place of the teacher's
p.add_argument('--gradual', default='')  # with --init select-norm: widths to prune through first (e.g. 400,200,100,60), each trained --gradual-epochs with the same loss
p.add_argument('--gradual-epochs', type=float, default=1)
p.add_argument('--gradual-lr', type=float, default=0)
p.add_argument('--fade', type=float, default=0)  # with --gradual: in each step, the units the next cut drops fade to zero over this share of the step, so the cut loses nothing
p.add_argument('--anneal', type=int, default=0)  # Annealing KD (Jafari et al. 2021): the first N epochs regress the student's logits on the teacher's times 1 - (tau - 1) / tmax, tau from --anneal-tmax down to 1 (a target that sharpens), then the chosen loss; no rate cut or early stop counts during them
p.add_argument('--anneal-tmax', type=float, default=10)
p.add_argument('--init', default='xavier')  # xavier | svd: first layer from the teacher's first layer | select, select-norm: weight selection (distillation from weights)
p.add_argument('--hint', type=float, default=0)  # FitNets-style: weight of an MSE from the student's first hidden layer, through a linear map, to the teacher's
p.add_argument('--schedule', default='cosine'); p.add_argument('--dump', required=True); p.add_argument('--patience', type=int, default=0); p.add_argument('--plateau', type=int, default=3); p.add_argument('--beta', type=float, default=8)
a = p.parse_args()
torch.set_num_threads(1); torch.manual_seed(a.seed); np.random.seed(a.seed)
D = a.dump.rstrip('/') + '/'
def load(n):
    x = torch.from_numpy(np.fromfile(D + n + '-x.f32', np.float32)).view(-1, 784)
    y = torch.from_numpy(np.fromfile(D + n + '-y.u8', np.uint8).astype(np.int64))
    t = torch.from_numpy(np.fromfile(D + n + '-t.f32', np.float32)).view(-1, 10)
    return x, y, t
xtr, ytr, ttr = load('train'); xva, yva, tva = load('val'); xte, yte, tte = load('test')
import os
if os.path.exists(D + 'weights.json'):
    shapes = json.load(open(D + 'weights.json'))
    W = [torch.from_numpy(np.fromfile(D + f'w{i}.f32', np.float32)).view(*s) for i, s in enumerate(shapes)]
else: W = None
# The teacher's own weights, kept apart: weight selection (--select-from, --gradual) rebinds W to the
# network it prunes, and until this was kept apart every relabelling (--flip, --shift, --erase,
# --mixup) after --gradual or --select-from asked that network, not the teacher.
WT = W
def teacher(x):
    h = F.relu(x @ WT[0] + WT[1]); h = F.relu(h @ WT[2] + WT[3]); return h @ WT[4] + WT[5]
assert W is None or (teacher(xte[:100]) - tte[:100]).abs().max() < 1e-3
if a.teacher_tta:
    with torch.no_grad():
        r = a.teacher_tta; img = xtr.view(-1, 28, 28); acc_p = torch.zeros(len(xtr), 10)
        shifts = [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)]
        for dy, dx in shifts:
            shifted = torch.zeros_like(img)
            ys, yd = (slice(0, 28 - dy), slice(dy, 28)) if dy >= 0 else (slice(-dy, 28), slice(0, 28 + dy))
            xs, xd = (slice(0, 28 - dx), slice(dx, 28)) if dx >= 0 else (slice(-dx, 28), slice(0, 28 + dx))
            shifted[:, yd, xd] = img[:, ys, xs]
            for i0 in range(0, len(xtr), 8192): acc_p[i0:i0 + 8192] += F.softmax(teacher(shifted[i0:i0 + 8192].reshape(-1, 784)), 1)
        ttr = (acc_p / len(shifts)).clamp_min(1e-12).log()
net = nn.Sequential(nn.Linear(784, a.width), nn.ReLU(), nn.Linear(a.width, a.width), nn.ReLU(), nn.Linear(a.width, 10))
for m in net:
    if isinstance(m, nn.Linear): nn.init.xavier_uniform_(m.weight); nn.init.zeros_(m.bias)
if a.init == 'svd':
    # The teacher's first layer, cut to its a.width strongest input directions: those span what
    # the teacher reads from the image; rescaled to the xavier weight norm so training starts stable.
    U, S, V = torch.linalg.svd(W[0], full_matrices=False)
    w = (U[:, :a.width] * S[:a.width]).T
    with torch.no_grad(): net[0].weight.copy_(w * net[0].weight.norm() / w.norm())
if a.init.startswith('select'):
    # Weight selection (Xu et al. 2024, "Initializing models with larger ones"): the same subset of
    # the teacher's hidden units in every layer, so each student layer is a block of the teacher's.
    # select: evenly spaced units; select-norm: the units with the largest outgoing weights;
    # select-first: the first units (the slice a slimmable teacher trained, scripts/research/slimmable_teacher.py).
    # select-act: largest outgoing weight times the unit's spread of activation on training images
    # (a unit with strong weights that hardly varies carries little; its mean can move to a bias).
    def pick(w_out):
        n = w_out.shape[0]
        if a.init == 'select-act':
            return (w_out.norm(dim=1) * next(act_std)).argsort(descending=True)[:a.width].sort().values
        if a.init == 'select': return torch.linspace(0, n - 1, a.width).round().long()
        if a.init == 'select-first': return torch.arange(a.width)  # a slimmable teacher's own slice
        return w_out.norm(dim=1).argsort(descending=True)[:a.width].sort().values
    if a.select_from:
        S = a.select_from.rstrip('/') + '/'; shapes_s = json.load(open(S + 'weights.json'))
        W = [torch.from_numpy(np.fromfile(S + f'w{i}.f32', np.float32)).view(*s) for i, s in enumerate(shapes_s)]
    if a.gradual:
        # Gradual pruning with distillation: prune to each width in turn by outgoing weight norm,
        # train a few epochs with the same loss on the teacher's logits, prune the result further.
        def gloss(z, y, t):
            if a.mode == 'ce': return F.cross_entropy(z, y)
            ps = F.softmax(z / a.T, 1); pt = F.softmax(t / a.T, 1)
            if a.mode == 'dist':
                pear = lambda u, v, d: F.cosine_similarity(u - u.mean(d, keepdim=True), v - v.mean(d, keepdim=True), dim=d, eps=1e-8).mean()
                soft = a.T ** 2 * ((1 - pear(ps, pt, 1)) + a.beta * (1 - pear(ps, pt, 0)))
            elif a.mode == 'ttm': soft = F.kl_div(F.log_softmax(z, 1), pt, reduction='batchmean')
            else: soft = F.kl_div(F.log_softmax(z / a.T, 1), pt, reduction='batchmean') * a.T * a.T
            return a.alpha * soft + (1 - a.alpha) * F.cross_entropy(z, y)
        Wg = W; widths = [int(v) for v in a.gradual.split(',')]; forced = None
        for gi, gw in enumerate(widths):
            if forced: j1, j2 = forced
            else:
                j1 = Wg[2].norm(dim=1).argsort(descending=True)[:gw].sort().values
                j2 = Wg[4].norm(dim=1).argsort(descending=True)[:gw].sort().values
            gnet = nn.Sequential(nn.Linear(784, gw), nn.ReLU(), nn.Linear(gw, gw), nn.ReLU(), nn.Linear(gw, 10))
            with torch.no_grad():
                gnet[0].weight.copy_(Wg[0][:, j1].T); gnet[0].bias.copy_(Wg[1][j1])
                gnet[2].weight.copy_(Wg[2][j1][:, j2].T); gnet[2].bias.copy_(Wg[3][j2])
                gnet[4].weight.copy_(Wg[4][j2].T); gnet[4].bias.copy_(Wg[5])
            gopt = torch.optim.SGD(gnet.parameters(), lr=a.gradual_lr or a.lr, momentum=0.9)
            gsteps = int(math.ceil(len(xtr) / a.batch) * a.gradual_epochs); perm = torch.randperm(len(xtr)); k = 0
            nxt = widths[gi + 1] if gi + 1 < len(widths) else a.width
            with torch.no_grad():  # the units the next cut keeps, ranked as it would rank them now
                keep1 = gnet[2].weight.norm(dim=0).argsort(descending=True)[:nxt].sort().values
                keep2 = gnet[4].weight.norm(dim=0).argsort(descending=True)[:nxt].sort().values
            def gfwd(x, scale):
                if not a.fade: return gnet(x)
                m1 = torch.full((gw,), scale); m1[keep1] = 1; m2 = torch.full((gw,), scale); m2[keep2] = 1
                h = F.relu(gnet[0](x)) * m1; h = F.relu(gnet[2](h)) * m2; return gnet[4](h)
            for s_ in range(gsteps):
                if (k + 1) * a.batch > len(xtr): perm = torch.randperm(len(xtr)); k = 0
                idx = perm[k * a.batch:(k + 1) * a.batch]; k += 1
                scale = max(0.0, 1 - s_ / (a.fade * gsteps)) if a.fade else 1.0
                l_ = gloss(gfwd(xtr[idx], scale), ytr[idx], ttr[idx]); gopt.zero_grad(); l_.backward(); gopt.step()
            if a.fade:
                forced = (keep1, keep2)
                with torch.no_grad():  # the faded units are off: zero their outgoing weights so the pruned net is exact
                    drop1 = torch.ones(gw, dtype=torch.bool); drop1[keep1] = False; gnet[2].weight[:, drop1] = 0
                    drop2 = torch.ones(gw, dtype=torch.bool); drop2[keep2] = False; gnet[4].weight[:, drop2] = 0
            with torch.no_grad(): gv = (gnet(xva).argmax(1) == yva).float().mean().item()
            print(json.dumps({'gradual_width': gw, 'val': round(gv * 100, 2)}), flush=True)
            Wg = [gnet[0].weight.detach().T.contiguous(), gnet[0].bias.detach(), gnet[2].weight.detach().T.contiguous(), gnet[2].bias.detach(), gnet[4].weight.detach().T.contiguous(), gnet[4].bias.detach()]
        W = Wg
    with torch.no_grad():  # the activations of the net being pruned (the teacher, or --select-from's)
        xs = xtr[:10000]; acts = [F.relu(xs @ W[0] + W[1])]; acts.append(F.relu(acts[0] @ W[2] + W[3]))
    act_std = iter([acts[0].std(0), acts[1].std(0)])
    i1, i2 = forced if (a.gradual and a.fade) else (pick(W[2]), pick(W[4])); sel = (i1, i2)
    with torch.no_grad():
        net[0].weight.copy_(W[0][:, i1].T); net[0].bias.copy_(W[1][i1])
        net[2].weight.copy_(W[2][i1][:, i2].T); net[2].bias.copy_(W[3][i2])
        net[4].weight.copy_(W[4][i2].T); net[4].bias.copy_(W[5])
        if a.bias_correct:
            # Each dropped unit's mean activation, through its outgoing weights, folded into the next layer's biases.
            drop1 = torch.ones(W[0].shape[1], dtype=torch.bool); drop1[i1] = False
            drop2 = torch.ones(W[2].shape[1], dtype=torch.bool); drop2[i2] = False
            net[2].bias.add_((acts[0].mean(0)[drop1] @ W[2][drop1])[i2])
            net[4].bias.add_(acts[1].mean(0)[drop2] @ W[4][drop2])
reg = nn.Linear(a.width, 800)
crd_s, crd_t = nn.Linear(a.width, 64), nn.Linear(800, 64)
params = list(net.parameters()) + (list(reg.parameters()) if a.hint else []) + (list(crd_s.parameters()) + list(crd_t.parameters()) if a.crd else [])
opt = torch.optim.Adam(params, lr=a.lr, weight_decay=a.wd) if a.opt == 'adam' else torch.optim.SGD(params, lr=a.lr, momentum=0.9, weight_decay=a.wd)
steps = math.ceil(len(xtr) / a.batch); total = steps * a.epochs
import copy
ema = copy.deepcopy(net) if a.ema else net
acc = lambda x, y: (ema(x).argmax(1) == y).float().mean().item()
with torch.no_grad(): start_val = (net(xva).argmax(1) == yva).float().mean().item()
if a.epochs == 0: print(json.dumps({'start_val': round(start_val * 100, 2)})); raise SystemExit
by_class = [(ytr == c).nonzero().flatten() for c in range(10)]
best = (-1, 0, 0); step = 0; cur_lr = a.lr; since = 0; since_cut = 0
for ep in range(a.epochs):
    perm = torch.randperm(len(xtr))
    for s in range(steps):
        idx = perm[s * a.batch:(s + 1) * a.batch]
        x, y, t = xtr[idx], ytr[idx], ttr[idx]
        if a.flip > 0:  # horizontal flips of a share of the images, relabelled by the teacher (consistent teaching)
            f = torch.rand(len(idx)) < a.flip
            if f.any():
                x = x.clone(); x[f] = x[f].view(-1, 28, 28).flip(2).reshape(-1, 784)
                with torch.no_grad(): t = t.clone(); t[f] = teacher(x[f])
        if a.shift > 0:  # small translations relabelled by the teacher (function matching on jittered images)
            f = torch.rand(len(idx)) < a.shift
            if f.any():
                x = x.clone(); k = int(f.sum()); img = x[f].view(-1, 28, 28)
                dx, dy = np.random.randint(-a.shift_px, a.shift_px + 1, 2)
                img = torch.roll(img, shifts=(int(dy), int(dx)), dims=(1, 2))
                x[f] = img.reshape(-1, 784)
                with torch.no_grad(): t = t.clone(); t[f] = teacher(x[f])
        if a.erase > 0:  # random erasing: a rectangle of 2-33 % of the image, aspect 0.3-3.3, set to 0 (the background), relabelled by the teacher
            f = (torch.rand(len(idx)) < a.erase).nonzero().flatten()
            if len(f):
                x = x.clone(); img = x.view(-1, 28, 28)
                for i in f.tolist():
                    area = np.random.uniform(0.02, 0.33) * 784; r = math.exp(np.random.uniform(math.log(0.3), math.log(3.3)))
                    h = min(28, int(round(math.sqrt(area * r)))); w = min(28, int(round(math.sqrt(area / r))))
                    i0 = np.random.randint(0, 28 - h + 1); j0 = np.random.randint(0, 28 - w + 1); img[i, i0:i0 + h, j0:j0 + w] = 0
                with torch.no_grad(): t = t.clone(); t[f] = teacher(x[f])
        if a.noise > 0:
            f = torch.rand(len(idx)) < a.noise
            if f.any():
                x = x.clone(); x[f] = (x[f] + a.noise_std * torch.randn_like(x[f])).clamp(0, 1)
                with torch.no_grad(): t = t.clone(); t[f] = teacher(x[f])
        if a.bss > 0:
            f = torch.rand(len(idx)) < a.bss
            if f.any():
                xb = x[f].clone()
                with torch.no_grad(): top2 = teacher(xb).topk(2, 1).indices
                for _ in range(a.bss_steps):  # signed steps that raise the second class's logit against the first's
                    xb.requires_grad_(True); zt = teacher(xb)
                    gap = (zt.gather(1, top2[:, 1:2]) - zt.gather(1, top2[:, :1])).sum()
                    g, = torch.autograd.grad(gap, xb)
                    xb = (xb.detach() + a.bss_eps * g.sign()).clamp(0, 1)
                x = x.clone(); x[f] = xb
                with torch.no_grad(): t = t.clone(); t[f] = teacher(xb)
        if a.mixup > 0 and np.random.rand() < a.mixup:
            lam = torch.from_numpy(np.random.beta(1, 1, size=(len(idx), 1)).astype(np.float32))
            if a.mix_same_class:  # a partner of the same class from the whole training set: plausible in-between images
                partner = torch.stack([by_class[int(c)][torch.randint(len(by_class[int(c)]), (1,))][0] for c in y])
                x = lam * x + (1 - lam) * xtr[partner]
            else: x = lam * x + (1 - lam) * x[torch.randperm(len(idx))]
            with torch.no_grad(): t = teacher(x)
            soft_only = True
        else: soft_only = False
        lr = a.lr * 0.5 * (1 + math.cos(math.pi * step / total)) if a.schedule == 'cosine' else cur_lr
        for g in opt.param_groups: g['lr'] = lr
        z = net(x)
        if ep < a.anneal:
            tau = a.anneal_tmax - (a.anneal_tmax - 1) * ep / max(1, a.anneal - 1)
            loss = ((z - t * (1 - (tau - 1) / a.anneal_tmax)) ** 2).sum(1).mean() / 10
        elif a.mode == 'ce': loss = F.cross_entropy(z, y)
        elif a.mode == 'dkd':
            gt = F.one_hot(y, 10).bool()
            ps = F.softmax(z / a.T, 1); pt = F.softmax(t / a.T, 1)
            bs = torch.stack([(ps * gt).sum(1), (ps * ~gt).sum(1)], 1); bt = torch.stack([(pt * gt).sum(1), (pt * ~gt).sum(1)], 1)
            tckd = (bt * (bt.clamp_min(1e-8).log() - bs.clamp_min(1e-8).log())).sum(1).mean() * a.T ** 2
            ls = F.log_softmax(z / a.T - 1000 * gt, 1); lt = F.softmax(t / a.T - 1000 * gt, 1)
            nckd = F.kl_div(ls, lt, reduction='batchmean') * a.T ** 2
            warm = min(1.0, (ep + 1) / 5)
            loss = F.cross_entropy(z, y) + warm * (a.alpha * tckd + a.beta * nckd)
        elif a.mode in ('dist', 'kddist'):  # DIST (Huang et al. 2022): Pearson correlation between and within classes, for a large teacher-student gap; kddist: half DIST, half KD's KL
            ps = F.softmax(z / a.T, 1); pt = F.softmax(t / a.T, 1)
            pear = lambda u, v, d: F.cosine_similarity(u - u.mean(d, keepdim=True), v - v.mean(d, keepdim=True), dim=d, eps=1e-8).mean()
            if a.wsld:
                with torch.no_grad(): wgt = 1 - torch.exp(-F.cross_entropy(z, y, reduction='none') / F.cross_entropy(t, y, reduction='none').clamp_min(1e-7))
                inter = (wgt * (1 - F.cosine_similarity(ps - ps.mean(1, keepdim=True), pt - pt.mean(1, keepdim=True), dim=1, eps=1e-8))).mean()
            else: inter = 1 - pear(ps, pt, 1)
            rel = a.T ** 2 * (inter + a.beta * (1 - pear(ps, pt, 0)))
            if a.mode == 'kddist': rel = 0.5 * rel + 0.5 * F.kl_div(F.log_softmax(z / a.T, 1), pt, reduction='batchmean') * a.T ** 2
            loss = rel if soft_only else a.alpha * rel + (1 - a.alpha) * F.cross_entropy(z, y)
        elif a.mode == 'ttm':  # transformed teacher matching (Zheng & Yang 2024): only the teacher is softened at T; the student at 1
            kl = F.kl_div(F.log_softmax(z, 1), F.softmax(t / a.T, 1), reduction='batchmean')
            loss = kl if soft_only else a.alpha * kl + (1 - a.alpha) * F.cross_entropy(z, y)
        elif a.mode == 'mse':  # logit regression (Ba & Caruana 2014; Kim et al. 2021): MSE on the raw logits
            mse = ((z - t) ** 2).sum(1).mean() / 10
            loss = mse if soft_only else a.alpha * mse + (1 - a.alpha) * F.cross_entropy(z, y)
        else:  # kd, or lskd: both logit vectors z-scored first (Sun et al. 2024, logit standardization)
            std = lambda v: (v - v.mean(1, keepdim=True)) / (v.std(1, keepdim=True) + 1e-7) if a.mode == 'lskd' else v
            kl = F.kl_div(F.log_softmax(std(z) / a.T, 1), F.softmax(std(t) / a.T, 1), reduction='batchmean') * a.T * a.T
            loss = kl if soft_only else a.alpha * kl + (1 - a.alpha) * F.cross_entropy(z, y)
        if a.jacobian:
            xs_ = x.detach().clone().requires_grad_(True)
            gs = torch.autograd.grad(net(xs_).gather(1, y[:, None]).sum(), xs_, create_graph=True)[0]
            xt_ = x.detach().clone().requires_grad_(True)
            gt_ = torch.autograd.grad(teacher(xt_).gather(1, y[:, None]).sum(), xt_)[0]
            unit = lambda g: g / (g.norm(dim=1, keepdim=True) + 1e-8)
            loss = loss + a.jacobian * ((unit(gs) - unit(gt_)) ** 2).sum(1).mean()
        if a.hint_selected:
            with torch.no_grad(): t1 = F.relu(x @ W[0] + W[1]); t2 = F.relu(t1 @ W[2] + W[3])
            s1 = F.relu(net[0](x)); s2 = F.relu(net[2](s1))
            loss = loss + a.hint_selected * (F.mse_loss(s1, t1[:, sel[0]]) + F.mse_loss(s2, t2[:, sel[1]]))
        if a.crd:
            with torch.no_grad(): tf2 = F.relu(F.relu(x @ WT[0] + WT[1]) @ WT[2] + WT[3])
            es = F.normalize(crd_s(F.relu(net[2](F.relu(net[0](x))))), dim=1); et = F.normalize(crd_t(tf2), dim=1)
            logits = es @ et.T / a.crd_tau
            loss = loss + a.crd * F.cross_entropy(logits, torch.arange(len(x)))
        if a.sp or a.pkt:
            with torch.no_grad(): tf2 = F.relu(F.relu(x @ WT[0] + WT[1]) @ WT[2] + WT[3])
            sf2 = F.relu(net[2](F.relu(net[0](x))))
            if a.sp:
                gram = lambda f: F.normalize(f @ f.T, dim=1)
                loss = loss + a.sp * ((gram(sf2) - gram(tf2)) ** 2).sum() / len(x) ** 2
            if a.pkt:
                def cond(f):
                    f = F.normalize(f, dim=1, eps=1e-7); k = (f @ f.T + 1) / 2
                    return k / k.sum(1, keepdim=True)
                ps_, pt_ = cond(sf2), cond(tf2)
                loss = loss + a.pkt * (pt_ * ((pt_ + 1e-7).log() - (ps_ + 1e-7).log())).sum(1).mean()
        if a.hint:
            with torch.no_grad(): th = F.relu(x @ W[0] + W[1])
            loss = loss + a.hint * F.mse_loss(reg(F.relu(net[0](x))), th)
        opt.zero_grad(); loss.backward(); opt.step(); step += 1
        if a.ema:
            with torch.no_grad():
                for pe, pn in zip(ema.parameters(), net.parameters()): pe.mul_(a.ema).add_(pn, alpha=1 - a.ema)
    with torch.no_grad():
        v = acc(xva, yva); te = acc(xte, yte); tr = acc(xtr[:10000], ytr[:10000])
    if v > best[0]:
        best = (v, te, ep + 1); since = 0; since_cut = 0
        if a.write_dump or a.save_state: kept = {k: w.clone() for k, w in ema.state_dict().items()}
    elif ep >= a.anneal:
        since += 1; since_cut += 1
        if a.schedule == 'plateau' and since_cut >= a.plateau: cur_lr *= 0.1; since_cut = 0
        if a.patience and since >= a.patience: break
if a.save_state: torch.save(kept, a.save_state)
if a.write_dump:
    import shutil; os.makedirs(a.write_dump, exist_ok=True); net.load_state_dict(kept)
    with torch.no_grad():
        for n, x in (('train', xtr), ('val', xva), ('test', xte)):
            for part in ('x.f32', 'y.u8'): shutil.copyfile(D + f'{n}-{part}', f'{a.write_dump}/{n}-{part}')
            net(x).numpy().astype(np.float32).tofile(f'{a.write_dump}/{n}-t.f32')
        # Its weights as the teacher's are stored ([in, out] kernels), for --select-from.
        ws = [net[0].weight.T, net[0].bias, net[2].weight.T, net[2].bias, net[4].weight.T, net[4].bias]
        for i, w in enumerate(ws): w.contiguous().numpy().astype(np.float32).tofile(f'{a.write_dump}/w{i}.f32')
        json.dump([list(w.shape) for w in ws], open(f'{a.write_dump}/weights.json', 'w'))
print(json.dumps({**vars(a), 'start_val': round(start_val * 100, 2), 'best_val': round(best[0] * 100, 2), 'test_at_best': round(best[1] * 100, 2), 'best_epoch': best[2], 'stopped': ep + 1, 'last_test': round(te * 100, 2), 'train10k': round(tr * 100, 2)}), flush=True)
