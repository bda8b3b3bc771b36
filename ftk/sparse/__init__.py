"""The sparse core: masked layers, sparsify/strip, distributions, prune/grow rules.

It knows nothing of recipes, files or the command line. Its names are lazy
(`ftk._lazy`): the rule registries (`prune_rules`, `growth_rules`,
`death_rate_schedules`, `redistributions`, `density_distributions`) import
only NumPy, so recipes validate rule names without TensorFlow.
"""

from ftk._lazy import lazy_attributes

__getattr__, __dir__ = lazy_attributes(__name__, {
    "active_count": "ftk.sparse.counts",
    "parameter_count": "ftk.sparse.counts",
    "summary": "ftk.sparse.counts",
    "DISTRIBUTIONS": "ftk.sparse.density_distributions",
    "Prunable": "ftk.sparse.prunable",
    "SparseWeight": "ftk.sparse.sparse_weight",
    "density": "ftk.sparse.sparse_weight",
    "layer_densities": "ftk.sparse.sparse_weight",
    "sparse_weights": "ftk.sparse.sparse_weight",
    "sparsify": "ftk.sparse.conversion",
    "strip": "ftk.sparse.conversion",
    "LayerUpdate": "ftk.sparse.topology",
    "TopologyUpdate": "ftk.sparse.topology",
    "update_topology": "ftk.sparse.topology",
    # The rules, and how to add one.
    "LayerState": "ftk.sparse.layer_state",
    "PruneRule": "ftk.sparse.prune_rules",
    "register_prune_rule": "ftk.sparse.prune_rules",
    "RandomGrowth": "ftk.sparse.growth_rules",
    "register_growth_rule": "ftk.sparse.growth_rules",
    "DeathRateSchedule": "ftk.sparse.death_rate_schedules",
    "register_death_rate_schedule": "ftk.sparse.death_rate_schedules",
    "Redistribution": "ftk.sparse.redistributions",
    "register_redistribution": "ftk.sparse.redistributions",
    "DensityDistribution": "ftk.sparse.density_distributions",
    "register_density_distribution": "ftk.sparse.density_distributions",
    "target_densities": "ftk.sparse.density_distributions",
})

