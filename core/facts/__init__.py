"""The school side's published interface: facts a school computes in its own schema for the region."""
