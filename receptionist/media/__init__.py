"""Twilio Media Streams: the live-call WebSocket and its audio."""
