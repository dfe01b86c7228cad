"""need to know and carriers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 08:14:35.615560
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.create_index('ix_audit_records_at', ['at'], unique=False)

    op.create_table('access_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=30), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('operation', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approver', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_grants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_grants'))
    )
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.create_index('ix_access_grants_lookup', ['user_id', 'target_type', 'target_id', 'status'], unique=False)
        batch_op.create_index('ix_access_grants_status', ['status', 'level'], unique=False)

    op.create_table('carriers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('form', sa.String(length=20), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('holder', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['secret_items.id'], name=op.f('fk_carriers_item_id_secret_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carriers')),
    sa.UniqueConstraint('serial', name=op.f('uq_carriers_serial'))
    )
    with op.batch_alter_table('carriers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carriers_level'), ['level'], unique=False)

    op.create_table('carrier_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_user', sa.String(length=64), nullable=True),
    sa.Column('to_user', sa.String(length=64), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('confirmed_by', sa.String(length=64), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['carrier_id'], ['carriers.id'], name=op.f('fk_carrier_movements_carrier_id_carriers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carrier_movements'))
    )
    with op.batch_alter_table('carrier_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carrier_movements_carrier_id'), ['carrier_id'], unique=False)

    op.create_table('destructions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carrier_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('performed_by', sa.String(length=64), nullable=True),
    sa.Column('performed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['carrier_id'], ['carriers.id'], name=op.f('fk_destructions_carrier_id_carriers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destructions')),
    sa.UniqueConstraint('carrier_id', name=op.f('uq_destructions_carrier_id'))
    )
    op.create_table('destruction_witnesses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('destruction_id', sa.Integer(), nullable=False),
    sa.Column('witness', sa.String(length=64), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['destruction_id'], ['destructions.id'], name=op.f('fk_destruction_witnesses_destruction_id_destructions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_witnesses')),
    sa.UniqueConstraint('destruction_id', 'witness', name=op.f('uq_destruction_witnesses_destruction_id'))
    )
    with op.batch_alter_table('destruction_witnesses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destruction_witnesses_destruction_id'), ['destruction_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('post', sa.String(length=100), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_records_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('post')

    with op.batch_alter_table('destruction_witnesses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_destruction_witnesses_destruction_id'))

    op.drop_table('destruction_witnesses')
    op.drop_table('destructions')
    with op.batch_alter_table('carrier_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carrier_movements_carrier_id'))

    op.drop_table('carrier_movements')
    with op.batch_alter_table('carriers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carriers_level'))

    op.drop_table('carriers')
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_access_grants_status')
        batch_op.drop_index('ix_access_grants_lookup')

    op.drop_table('access_grants')
