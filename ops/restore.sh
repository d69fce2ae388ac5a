#!/usr/bin/env bash
# Restores a backup made by ops/backup.sh into an EMPTY database of a new (or fresh) cluster, in one
# transaction, and puts the audit signing key where the restored server will read it. See README,
# "Backup and restore". Stop every server of the old deployment first, or point them at the new database.
#
#   DX_DATABASE_URL=postgresql://user:password@host:5432/dataexchange ops/restore.sh BACKUP_DIR [SIGNING_KEY]
#
# SIGNING_KEY (where to put the key) defaults as in backup.sh. The roles that owned the objects must exist
# in the new cluster (pg_dumpall --roles-only from the old one), else pg_restore stops and restores nothing.
set -euo pipefail

if [[ $# -lt 1 || -z "${DX_DATABASE_URL:-}" ]]; then
    echo "usage: DX_DATABASE_URL=postgresql://… $0 BACKUP_DIR [SIGNING_KEY]" >&2
    exit 2
fi
dir=$1
key=${2:-${Audit__SigningKeyPath:-$HOME/.local/share/dataexchange/audit-signing-key.pem}}
bin=${PG_BIN:-$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}

(cd "$dir" && sha256sum --check --quiet SHA256SUMS)
if [[ -e "$key" ]] && ! cmp -s "$key" "$dir/audit-signing-key.pem"; then
    echo "$key holds another signing key; move it away or name another path (the restored server must use the backup's key)." >&2
    exit 1
fi
"$bin/pg_restore" --exit-on-error --single-transaction --dbname "$DX_DATABASE_URL" "$dir/dataexchange.dump"
umask 077
mkdir -p "$(dirname "$key")"
cp "$dir/audit-signing-key.pem" "$key"
echo "Restored the database and the audit signing key ($key)."
echo "Start the server with this database and Audit:SigningKeyPath=$key (and the same Pull:HashKey if one was set)."
