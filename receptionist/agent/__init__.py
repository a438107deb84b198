"""The conversation: brains, tools, prompts, engines and call records."""
