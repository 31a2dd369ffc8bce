"""Task templates of the Travel environments and the Travel domain's cross-environment templates."""
