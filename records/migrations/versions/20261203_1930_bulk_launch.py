"""bulk launch: batches and rows of a CSV launch; jobs of their own (no waiting task), named once by a key

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.alter_column('instance_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('task_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.add_column(sa.Column('key', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_jobs_key'), ['key'])
    op.create_table('launch_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=64), nullable=False),
    sa.Column('started_by', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_launch_batches'))
    )
    op.create_table('launch_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['launch_batches.id'], name=op.f('fk_launch_rows_batch_id_launch_batches'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'],
                            name=op.f('fk_launch_rows_instance_id_process_instances'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_launch_rows')),
    sa.UniqueConstraint('batch_id', 'number', name='uq_launch_rows_batch_number')
    )
    with op.batch_alter_table('launch_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_launch_rows_batch_id'), ['batch_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('launch_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_launch_rows_batch_id'))
    op.drop_table('launch_rows')
    op.drop_table('launch_batches')
    op.execute("DELETE FROM jobs WHERE instance_id IS NULL")
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_jobs_key'), type_='unique')
        batch_op.drop_column('key')
        batch_op.alter_column('task_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.alter_column('instance_id', existing_type=sa.Integer(), nullable=False)
