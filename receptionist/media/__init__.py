"""Builds the voice service for the app; the live call itself is ``receptionist.call``."""
