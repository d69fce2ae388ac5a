#!/usr/bin/env bash
# Backs up an exchange: the whole database (pg_dump, custom format, one consistent snapshot) and the audit
# signing key file, which is kept out of the database on purpose. See README, "Backup and restore".
#
#   DX_DATABASE_URL=postgresql://user:password@host:5432/dataexchange ops/backup.sh BACKUP_DIR [SIGNING_KEY]
#
# SIGNING_KEY defaults to $Audit__SigningKeyPath, else ~/.local/share/dataexchange/audit-signing-key.pem.
# PG_BIN names the folder of pg_dump (default: pg_config --bindir, else the newest /usr/lib/postgresql/*/bin);
# use a pg_dump at least as new as the server.
set -euo pipefail

if [[ $# -lt 1 || -z "${DX_DATABASE_URL:-}" ]]; then
    echo "usage: DX_DATABASE_URL=postgresql://… $0 BACKUP_DIR [SIGNING_KEY]" >&2
    exit 2
fi
dir=$1
key=${2:-${Audit__SigningKeyPath:-$HOME/.local/share/dataexchange/audit-signing-key.pem}}
bin=${PG_BIN:-$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}

if [[ ! -f "$key" ]]; then
    echo "No audit signing key at $key: pass its path (Audit:SigningKeyPath of the worker nodes) as the second argument." >&2
    exit 1
fi
# The dump holds the server secret (unless Pull:HashKey is set outside), the sealed console key ring and key hashes.
umask 077
mkdir -p "$dir"
if [[ -e "$dir/dataexchange.dump" ]]; then
    echo "$dir already holds a backup; choose an empty folder." >&2
    exit 1
fi
"$bin/pg_dump" --format=custom --file "$dir/dataexchange.dump" --dbname "$DX_DATABASE_URL"
cp "$key" "$dir/audit-signing-key.pem"
(cd "$dir" && sha256sum dataexchange.dump audit-signing-key.pem > SHA256SUMS)
echo "Backed up to $dir: dataexchange.dump, audit-signing-key.pem, SHA256SUMS."
echo "If Pull:HashKey is set from a secret store, it is NOT in this backup: keep it with the backup's records."
