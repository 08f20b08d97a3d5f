"""Applications for accreditation: drafting, submission, the panel's decisions."""
