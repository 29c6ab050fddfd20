#!/usr/bin/env bash
# Mesa's lavapipe (software Vulkan) from bookworm-backports: gives Dawn (the `webgpu` package) an
# adapter on a machine without a GPU, so CI exercises the WebGPU backend. Bookworm's own Mesa 22
# is refused by Dawn; 25.x from backports works. Debian 12 only; elsewhere it says so and exits 0.
set -euo pipefail
sources=/etc/apt/sources.list.d/debian.sources
if ! grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null || [ ! -f "$sources" ]; then
  echo "install-lavapipe: not Debian 12 with $sources; WebGPU tests will say they did not run"
  exit 0
fi
if ! grep -q 'bookworm-backports' "$sources"; then
  # Add the suite to the first entry's Suites: line.
  sed -i '0,/^Suites: bookworm bookworm-updates$/s//Suites: bookworm bookworm-updates bookworm-backports/' "$sources"
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
echo "install-lavapipe: $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)"
