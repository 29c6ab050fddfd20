# Out-of-fold teachers for kd_harness.py: make_folds.py DUMP OUT K SEED writes IDX folders OUT/f{k} whose
# training images are the dump's outside fold k and whose test images are fold k (train each with
# `distill run --preset auto --dataset OUT/f{k} --no-sweep --no-try-dist --no-baseline --epochs 1
# --runs-dir OUT/f{k}/runs`), and OUT/folds.u8, the fold of each training image, for oof-logits.ts.
import sys, os, gzip, struct, numpy as np
src, out, K, seed = sys.argv[1].rstrip('/') + '/', sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
x = np.rint(np.fromfile(src + 'train-x.f32', np.float32).reshape(-1, 28, 28) * 255).astype(np.uint8)
y = np.fromfile(src + 'train-y.u8', np.uint8)
fold = np.random.RandomState(seed).permutation(len(y)) % K
fold.astype(np.uint8).tofile(out + '/folds.u8')
def idx(path, arr, labels):
    with gzip.open(path, 'wb') as f:
        if labels: f.write(struct.pack('>II', 2049, len(arr)))
        else: f.write(struct.pack('>IIII', 2051, len(arr), 28, 28))
        f.write(arr.tobytes())
for k in range(K):
    d = f'{out}/f{k}'; os.makedirs(d, exist_ok=True)
    tr, ho = fold != k, fold == k
    idx(d + '/train-images-idx3-ubyte.gz', x[tr], False); idx(d + '/train-labels-idx1-ubyte.gz', y[tr], True)
    idx(d + '/t10k-images-idx3-ubyte.gz', x[ho], False); idx(d + '/t10k-labels-idx1-ubyte.gz', y[ho], True)
    print(k, tr.sum(), ho.sum())
