"""The wire contract: msgspec Structs for every request and response.

Imported by ``backend`` and ``notifications``; imports from neither.
"""
