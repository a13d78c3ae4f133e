"""New directives for the chats that subscribed: subscriptions and their filters, the
directive card, the bot's membership in groups, and the broadcast at Telegram's pace."""
