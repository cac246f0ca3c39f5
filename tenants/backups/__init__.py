"""Backups that work at 3,000 schools, and one school out of (or into) them.

**Why batches and not one ``pg_dump`` of the database.** One ``pg_dump`` takes an ACCESS SHARE lock on every
table of every school in one transaction: about 22 tables a school, 66,000 lock slots at 3,000 schools,
while the shared lock table holds ``max_locks_per_transaction × (max_connections + max_prepared_transactions)``
entries (6,400 with PostgreSQL's defaults, 51,200 with the 512 × 100 the deploy notes used to suggest). A
setting sized for N schools works only until the region grows past it, and needs a server restart each time.
So a backup here is one exported snapshot (``pg_export_snapshot``, held open by a read-only transaction
that takes no table locks) and a series of ``pg_dump --snapshot`` runs: ``public`` (with the template
schema), then the schools in batches sized from the server's *actual* lock table (a share of it, so the
live application keeps its locks). Each batch's locks are released when its ``pg_dump`` ends. All dumps
see the same instant, exactly as one ``pg_dump`` would, whatever the number of schools, with stock
settings. A school's schema is found in the manifest with the batch file that holds it, so restoring one
school reads one batch, not the whole database.

**The manifest** (``manifest.json``) records the deployment (base domain, database), the server and tool
versions, every school (id, slug, ИНН, schema, its public rows: School, Domain, memberships), per table of
every schema its row count and an order-independent checksum (computed in the same snapshot as the dump),
the migrations each schema had, the sha256 of every dump file and of every uploaded file.

**Files** (``MEDIA_ROOT/<schema>/…``) are copied after the database snapshot, one tar per school and one for
everything else (region files), so every file a backed-up row refers to was already written.

**One school back** (``school_restore``): the school's schema is rebuilt under a temporary name from its batch
(DDL with the name replaced, the data streamed with COPY, then indexes and constraints), in one transaction;
checked against the manifest (row counts and checksums, 0 differences or nothing happens); then, in one
transaction, the damaged schema is renamed away, the restored one takes its name, the old one is dropped,
the School/Domain rows come back if they were deleted, and an audit event is written. Files follow.
"""

from tenants.backups.common import KEEP_DEFAULT, BackupError, db_current, schema_stats, stats_diff
from tenants.backups.create import _plan_batches, backup_create, backups_list, backups_prune
from tenants.backups.restore import manifest_read, school_restore
from tenants.backups.transfer import school_export, school_import

__all__ = [
    "KEEP_DEFAULT",
    "BackupError",
    "_plan_batches",
    "backup_create",
    "backups_list",
    "backups_prune",
    "db_current",
    "manifest_read",
    "schema_stats",
    "school_export",
    "school_import",
    "school_restore",
    "stats_diff",
]
