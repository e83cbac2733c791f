from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Integer, String


class Office(Model):
    """交付場所: the main office (HQ) and the ten branch offices."""

    __tablename__ = "office"

    id = Column(Integer, primary_key=True)
    code = Column(String(20), unique=True, nullable=False)
    name = Column(String(40), nullable=False)
    is_headquarters = Column(Boolean, nullable=False, default=False)
    sort_order = Column(Integer, nullable=False, default=0)
    phone = Column(String(20), nullable=True)
    postal_code = Column(String(7), nullable=True)
    address = Column(String(120), nullable=True)

    def __repr__(self):
        return self.name
