"""The peace process's own record: the register of decisions of its bodies (the model lives on
the ground floor, `core.decisions`, so that every app's steps can name the decision behind them)
and the roadmaps of priority actions, with their deadlines, evidence and overdue actions."""
