"""The register of people: who they are, the lists that named them, their screening, the pathway
their case follows, and the duplicates among them. One sub-package per concept, each with the same
rooms (models, rules, services, selectors, views, forms, api, tasks, urls)."""
