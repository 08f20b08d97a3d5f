"""The checkers' workflow: review, re-check, clarification, independent votes, the decision."""
