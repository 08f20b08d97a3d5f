"""The portal: the people's web front end over the platform's REST APIs."""
