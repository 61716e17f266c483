#!/usr/bin/env bash
# Ansible's prerequisite on the targets, installed offline into every server of a lab: python3,
# python3-apt (the apt module) and rsync (the synchronize module). The lab servers have no
# network, and the lab image stays as it is: the .debs are downloaded on this machine, computed
# against a server's own dpkg status (so exactly what that image lacks), cached, then streamed to
# each server over SSH and installed there with apt-get from the local files.
#   bash bench/ansible/python.sh /var/lib/ksorch/labs/ansbench/inventory.yaml
set -euo pipefail
INV=$1
DEBS=${DEBS:-/var/cache/ksorch/ansible-debs}
PACKAGES=(python3 python3-apt rsync)

# host port key known_hosts of each server, one line each
endpoints() {
  node --input-type=module - "$INV" <<'JS'
import { readFileSync } from "node:fs";
import { parse } from "yaml";
const inv = parse(readFileSync(process.argv[2], "utf8"));
for (const s of Object.values(inv.servers)) {
  const ssh = { ...inv.ssh, ...s.ssh };
  console.log([ssh.host, ssh.port, ssh.key, ssh.known_hosts].join(" "));
}
JS
}
cd "$(dirname "$0")/../.." # node resolves `yaml` from the repository's node_modules

mapfile -t SERVERS < <(endpoints)
on() { # on "host port key known_hosts" CMD...
  local h p k kh
  read -r h p k kh <<<"$1"
  shift
  ssh -q -i "$k" -p "$p" -o UserKnownHostsFile="$kh" -o StrictHostKeyChecking=yes -o BatchMode=yes \
    "root@$h" "$@"
}

if on "${SERVERS[0]}" test -x /usr/bin/python3 -a -x /usr/bin/rsync; then
  echo "python3 and rsync already on the servers" >&2
  exit 0
fi

STATUS=$(mktemp)
trap 'rm -f "$STATUS"' EXIT
on "${SERVERS[0]}" cat /var/lib/dpkg/status >"$STATUS"
mkdir -p "$DEBS/partial"
# Against the server's dpkg status, not this machine's: only what the image lacks is fetched.
apt-get install -qq --download-only --no-install-recommends -y \
  -o Dir::State::status="$STATUS" -o Dir::Cache::archives="$DEBS" "${PACKAGES[@]}" >/dev/null

# Into apt's own cache: apt-get takes a cached .deb for a version its lists know and the file
# given for a newer one (dpkg -i alone fails on python3-minimal's Pre-Depends).
NAMES=$(cd "$DEBS" && ls -- *.deb | tr '\n' ' ')
pids=()
for s in "${SERVERS[@]}"; do
  tar -C "$DEBS" -cf - -- $NAMES |
    on "$s" "set -e; cd /var/cache/apt/archives; tar -xf -;
      DEBIAN_FRONTEND=noninteractive apt-get install -qq -y --no-install-recommends --no-download \
        $(printf './%s ' $NAMES) >/dev/null" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
echo "python3, python3-apt and rsync installed on ${#SERVERS[@]} servers ($(ls "$DEBS"/*.deb | wc -l) .debs)" >&2
