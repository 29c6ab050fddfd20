# A uniform model soup (Wortsman et al. 2022): the average of the weights kd_harness.py saved with
# --save-state (students fine-tuned from the same start), scored on the dump's validation and test
# splits; each ingredient is scored too.  python3 scripts/research/soup.py --dump DIR A.pt B.pt …
import argparse, json, numpy as np, torch, torch.nn as nn
p = argparse.ArgumentParser(); p.add_argument('--dump', required=True); p.add_argument('states', nargs='+')
a = p.parse_args(); D = a.dump.rstrip('/') + '/'
def load(n):
    x = torch.from_numpy(np.fromfile(D + n + '-x.f32', np.float32)).view(-1, 784)
    return x, torch.from_numpy(np.fromfile(D + n + '-y.u8', np.uint8).astype(np.int64))
xva, yva = load('val'); xte, yte = load('test')
states = [torch.load(s) for s in a.states]
width = states[0]['0.weight'].shape[0]
net = nn.Sequential(nn.Linear(784, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 10))
def score(state):
    net.load_state_dict(state)
    with torch.no_grad(): return [round((net(x).argmax(1) == y).float().mean().item() * 100, 2) for x, y in ((xva, yva), (xte, yte))]
soup = {k: sum(s[k] for s in states) / len(states) for k in states[0]}
print(json.dumps({'ingredients': [score(s) for s in states], 'soup': score(soup)}))
