"""organisation: departments, appointments, settings, history; people's status

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='active'))

    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('name', name=op.f('uq_departments_name'))
    )
    op.create_table('org_appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=30), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appointed_by', sa.String(length=64), nullable=False),
    sa.Column('ended_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_org_appointments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_appointments'))
    )
    op.create_index('ix_org_appointments_current', 'org_appointments', ['post', 'department', 'ends_at'])
    op.create_index(op.f('ix_org_appointments_user_id'), 'org_appointments', ['user_id'])
    op.create_table('org_settings',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_org_settings'))
    )
    op.create_table('org_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_changes'))
    )
    op.create_index(op.f('ix_org_changes_at'), 'org_changes', ['at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_org_changes_at'), table_name='org_changes')
    op.drop_table('org_changes')
    op.drop_table('org_settings')
    op.drop_index(op.f('ix_org_appointments_user_id'), table_name='org_appointments')
    op.drop_index('ix_org_appointments_current', table_name='org_appointments')
    op.drop_table('org_appointments')
    op.drop_table('departments')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('status')
