"""inbox indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 06:56:45.440498
"""

from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_state_assignee'))
        batch_op.drop_index(batch_op.f('ix_tasks_state_lane'))
        batch_op.create_index('ix_tasks_inbox_assignee', ['state', 'assignee', 'created_at'], unique=False)
        batch_op.create_index('ix_tasks_inbox_lane', ['state', 'lane', 'assignee', 'created_at'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_inbox_lane')
        batch_op.drop_index('ix_tasks_inbox_assignee')
        batch_op.create_index(batch_op.f('ix_tasks_state_lane'), ['state', 'lane'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_state_assignee'), ['state', 'assignee'], unique=False)


