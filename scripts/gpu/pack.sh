#!/usr/bin/env bash
# Prepares .gpu/ (git-ignored) for scripts/gpu/on-device.sh on the GPU machine, which has no
# Node, no node_modules, no Vulkan loader and no network. Run here after `npm ci`:
#   bash scripts/gpu/pack.sh
# then call the device tool with carry [".gpu"] and the command
#   bash scripts/gpu/on-device.sh all       (kernel tests, hinton-mnist started in the background, bench; ~6 min)
#   bash scripts/gpu/on-device.sh collect   (at once after `all`: waits for hinton-mnist, 11–14 min in all)
# or one part alone: `check` (kernel tests), `bench`, `hinton` (see on-device.sh).
# Everything that travels must stay under 64 MiB: this makes about 35 MiB beside the repo.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .gpu/gl
node scripts/gpu/build-bundle.js
tar -cJf .gpu/app.tar.xz -C .gpu app && rm -rf .gpu/app
[ -s .gpu/node.xz ] || xz -T0 -c "$(command -v node)" > .gpu/node.xz
# Debian's Vulkan loader and the glvnd libraries NVIDIA's Vulkan driver needs, for amd64.
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
mkdir -p /tmp/amd64/partial
apt-get "${apt_opts[@]}" update -qq
(cd .gpu/gl && apt-get "${apt_opts[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 libx11-6 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0)
# The PyTorch yardstick lives beside the checkout, which does not travel.
for f in torch_reference.py torch_hinton_reference.py; do [ -f "../shared/bench/$f" ] && cp "../shared/bench/$f" .gpu/; done
du -sh .gpu
