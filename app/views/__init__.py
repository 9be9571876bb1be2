"""One module per screen. Screens register themselves with app.screens.register_screen."""
