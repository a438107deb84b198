"""Twilio voice webhooks and the call lifecycle."""
