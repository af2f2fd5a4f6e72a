"""Equipment of the sites: items, movements and the handover of a site's inventory."""
