"""leaving: tasks remember the post that decides them; personal links for former employees; messages' levels

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decider', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('decider_department', sa.String(length=100), nullable=True))
    with op.batch_alter_table('external_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_external_links_user_id_users'), 'users', ['user_id'], ['id'])
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('level')
    with op.batch_alter_table('external_links', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_external_links_user_id_users'), type_='foreignkey')
        batch_op.drop_column('user_id')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('decider_department')
        batch_op.drop_column('decider')
