"""non-compete money: each month's agreed and paid amount (fen), payment day, proof time, lateness, escalation

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('noncompete_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreed_fen', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paid_fen', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paid_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('proof_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('days_late', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('noncompete_checks', schema=None) as batch_op:
        for column in ('escalated_at', 'days_late', 'proof_at', 'paid_on', 'paid_fen', 'agreed_fen'):
            batch_op.drop_column(column)
