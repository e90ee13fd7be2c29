"""The push service: inbox, outbox, dispatcher and transports."""
