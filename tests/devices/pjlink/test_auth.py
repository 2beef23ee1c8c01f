"""The MD5 digest against the PJLink 1.04 §5.1 worked example."""

from devices.pjlink.auth import digest, new_salt


def test_digest_matches_the_standard_example() -> None:
    # PJLink 1.04 §5.1: random number 498e4a67, password JBMIAProjectorLink
    assert digest("498e4a67", "JBMIAProjectorLink") == "5d8409bc1c3fa39749434aa3a5c38682"


def test_salt_shape() -> None:
    salts = {new_salt() for _ in range(20)}
    assert len(salts) > 1
    assert all(len(s) == 8 and int(s, 16) >= 0 for s in salts)
