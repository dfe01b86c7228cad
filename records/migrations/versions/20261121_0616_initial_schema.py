"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 06:16:55.992811
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('process_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_definitions')),
    sa.UniqueConstraint('sha256', name=op.f('uq_process_definitions_sha256'))
    )
    with op.batch_alter_table('process_definitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_definitions_process_id'), ['process_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('personnel_level', sa.String(length=20), nullable=True),
    sa.Column('identifier', sa.String(length=64), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_table('process_instances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=64), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('format_version', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('next_timer_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('subject_user', sa.String(length=64), nullable=True),
    sa.Column('started_by', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definitions.id'], name=op.f('fk_process_instances_definition_id_process_definitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_instances'))
    )
    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_instances_next_timer_at'), ['next_timer_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instances_process_id'), ['process_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instances_subject_user'), ['subject_user'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('parties', sa.JSON(), nullable=False),
    sa.Column('signatures', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('subject_user', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_documents_instance_id_process_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_subject_user'), ['subject_user'], unique=False)

    op.create_table('history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_history_instance_id_process_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_history'))
    )
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_history_instance_id'), ['instance_id'], unique=False)

    op.create_table('noncompete_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('proof_due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payment_due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_noncompete_checks_instance_id_process_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_noncompete_checks'))
    )
    with op.batch_alter_table('noncompete_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_noncompete_checks_instance_id'), ['instance_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('to_role', sa.String(length=40), nullable=True),
    sa.Column('to_user', sa.String(length=64), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_notifications_instance_id_process_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_instance_id'), ['instance_id'], unique=False)

    op.create_table('revocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('system', sa.String(length=40), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_revocations_instance_id_process_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revocations'))
    )
    with op.batch_alter_table('revocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revocations_instance_id'), ['instance_id'], unique=False)

    op.create_table('secret_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=True),
    sa.Column('carrier', sa.String(length=200), nullable=True),
    sa.Column('knowers', sa.Text(), nullable=True),
    sa.Column('period', sa.String(length=100), nullable=True),
    sa.Column('declassification_condition', sa.Text(), nullable=True),
    sa.Column('classified_on', sa.Date(), nullable=True),
    sa.Column('approver', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('approval', sa.JSON(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_secret_items_instance_id_process_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secret_items'))
    )
    with op.batch_alter_table('secret_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_secret_items_level'), ['level'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('spec_name', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('lane', sa.String(length=40), nullable=True),
    sa.Column('assignee', sa.String(length=64), nullable=True),
    sa.Column('form', sa.String(length=100), nullable=True),
    sa.Column('sign_document', sa.String(length=64), nullable=True),
    sa.Column('sign_party', sa.String(length=40), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_tasks_instance_id_process_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_tasks_state_assignee', ['state', 'assignee'], unique=False)
        batch_op.create_index('ix_tasks_state_lane', ['state', 'lane'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_state_lane')
        batch_op.drop_index('ix_tasks_state_assignee')
        batch_op.drop_index(batch_op.f('ix_tasks_instance_id'))

    op.drop_table('tasks')
    with op.batch_alter_table('secret_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_secret_items_level'))

    op.drop_table('secret_items')
    with op.batch_alter_table('revocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revocations_instance_id'))

    op.drop_table('revocations')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_instance_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('noncompete_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_noncompete_checks_instance_id'))

    op.drop_table('noncompete_checks')
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_history_instance_id'))

    op.drop_table('history')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_subject_user'))
        batch_op.drop_index(batch_op.f('ix_documents_instance_id'))

    op.drop_table('documents')
    with op.batch_alter_table('process_instances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_instances_subject_user'))
        batch_op.drop_index(batch_op.f('ix_process_instances_process_id'))
        batch_op.drop_index(batch_op.f('ix_process_instances_next_timer_at'))

    op.drop_table('process_instances')
    op.drop_table('users')
    with op.batch_alter_table('process_definitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_definitions_process_id'))

    op.drop_table('process_definitions')

