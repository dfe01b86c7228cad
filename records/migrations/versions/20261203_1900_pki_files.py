"""pki_files: the signing PKI in the shared database, so signing workers on any machine use the same keys

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pki_files',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_pki_files'))
    )


def downgrade() -> None:
    op.drop_table('pki_files')
