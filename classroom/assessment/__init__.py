"""Assessment: question banks, live polls and quizzes, module-end tests and their scores."""
