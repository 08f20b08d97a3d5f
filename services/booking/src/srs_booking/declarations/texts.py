"""The security declaration researchers sign before their first safe-setting visit.

Each version's text is kept for good: a signature names the version it was given for,
and a new version (set by ``SRS_BOOKING_DECLARATION_VERSION``) must be signed again.
"""

from __future__ import annotations

DECLARATIONS: dict[str, str] = {
    "2026.1": (
        "I will use the safe setting only for the approved project I booked it for. "
        "I will not attempt to remove, copy or photograph data or outputs; every output "
        "leaves only through output clearance. I will bring no phones, cameras or storage "
        "devices into the safe room or SafePod. I will keep my credentials to myself, "
        "report any breach or suspected breach at once to srs.customer.support@ons.gov.uk, "
        "and I understand that a breach may end my accreditation."
    ),
}
