"""Test support code: a strict local fake of the Telegram Bot API and its HTML parser."""
