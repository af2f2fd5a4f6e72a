"""Cantonment: the sites where combatants stay, and what is handed in there. One sub-package per
concept (`sites`, `weapons`, `inventory`), each with the same rooms as the register's."""
