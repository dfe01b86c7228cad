"""audit chain

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 07:28:14.483571
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('audit_anchors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('token', sa.LargeBinary(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_anchors'))
    )
    with op.batch_alter_table('audit_anchors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_anchors_seq'), ['seq'], unique=False)

    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('audit_records',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=30), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=True),
    sa.Column('session_hash', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_records')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_records_hash'))
    )
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_records_actor'), ['actor'], unique=False)
        batch_op.create_index('ix_audit_records_target', ['target_type', 'target_id'], unique=False)

    # The chain's head before its first record: seq 0, the genesis hash (records.audit.GENESIS).
    op.bulk_insert(sa.table('audit_head', sa.column('id', sa.Integer()), sa.column('seq', sa.Integer()),
                            sa.column('hash', sa.String())), [{'id': 1, 'seq': 0, 'hash': '0' * 64}])




def downgrade() -> None:

    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_records_target')
        batch_op.drop_index(batch_op.f('ix_audit_records_actor'))

    op.drop_table('audit_records')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_anchors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_anchors_seq'))

    op.drop_table('audit_anchors')

