"""Webhooks to the school's training-management software (Standard Webhooks)."""
